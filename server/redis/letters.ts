// Category, channel, status and outcome as Redis stores them: one letter each, in the township
// combination fields (server/counters/low-level.ts) and in a packed case state
// (server/aggregate/case-state.ts). A combination field's name was ≈ 45 of its ≈ 53 bytes, and a
// year of Gansu's township month hashes held 90 MB (docs/capacity.md).

/**
 * The letters are stored data: never change one, only add. A value without a letter (added to the
 * vocabulary later) is written in full, and data written before the letters holds full names: a
 * token longer than a letter is read as the value itself, so old and new forms read alike.
 */
const LETTERS = {
  category: {
    criminal: 'c',
    public_order: 'o',
    homicide: 'h',
    fraud: 'f',
    traffic: 't',
    fire: 'x',
    petition: 'p',
    family: 'a',
    neighbour: 'n',
    land: 'l',
    labour: 'b',
    debt: 'd',
    property: 'y',
    medical: 'm',
    other: 'z',
  },
  channel: { grid: 'g', hotline_12345: 'h', police_110: 'p', petition: 'x', court: 'c', walk_in: 'w', app: 'a' },
  status: {
    reported: 'r',
    handling: 'h',
    closed: 'c',
    received: 'e',
    dispatched: 'd',
    mediating: 'm',
    resolved: 's',
    failed: 'f',
    verified: 'v',
  },
  outcome: { resolved: 's', failed: 'f' },
} as const satisfies Record<string, Record<string, string>>;
export type Dimension = keyof typeof LETTERS;

const NAMES = Object.fromEntries(
  Object.entries(LETTERS).map(([d, letters]) => [
    d,
    Object.fromEntries(Object.entries(letters).map(([n, l]) => [l, n])),
  ]),
) as Record<Dimension, Record<string, string>>;

/** The token `value` is stored as. */
export const letter = (d: Dimension, value: string) => (LETTERS[d] as Record<string, string>)[value] ?? value;
/** A stored token as the value it stands for. */
export const nameOf = (d: Dimension, token: string) => (token.length === 1 ? (NAMES[d][token] ?? token) : token);
