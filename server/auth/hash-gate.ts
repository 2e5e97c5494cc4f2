import PQueue from 'p-queue';

/** Why a password check was not started; the HTTP layer turns it into a 429 or a 503. */
export class HashGateRefused extends Error {
  override name = 'HashGateRefused';
  constructor(
    /** `client`: this client already has its share in line; `busy`: the line is full or too slow. */
    readonly reason: 'client' | 'busy',
    /** Seconds after which trying again is reasonable. */
    readonly retryAfterS: number,
  ) {
    super(reason === 'client' ? 'password checks of this client already under way' : 'password checks busy');
  }
}

export interface HashGateOptions {
  /** Password hashes computed at once (each takes a libuv thread and ~32 MB for tens of ms). */
  concurrency: number;
  /** Checks of one client (address) under way at once, waiting or running; more are refused at once. */
  perClient: number;
  /** Checks waiting for a hashing slot; more are refused at once. */
  maxWaiting: number;
  /** How long a check may wait for its turn before it is refused. */
  maxWaitMs: number;
}

/**
 * Sized for two cores: two hashes at a time leave libuv threads for files and DNS. A client
 * hashes one password at a time (the rest of its share waits in its own line), so a spraying
 * address holds one of the two slots and a login from anywhere else starts at once. A room of
 * desks behind one NAT logging in together at a shift change waits its turn rather than being
 * refused: eight in line per address, and up to 5 s in line (a hash took over 1.5 s on a loaded
 * 2-core host, where the first bound refused a second officer logging in beside the first).
 */
export const DEFAULT_HASH_GATE: HashGateOptions = { concurrency: 2, perClient: 8, maxWaiting: 32, maxWaitMs: 5000 };

export interface HashGate {
  /** Runs `check` when its turn comes; throws HashGateRefused instead of queueing without bound. */
  run<T>(client: string, check: () => Promise<T>): Promise<T>;
}

/**
 * The line in front of password hashing. Without it every login attempt started a scrypt at
 * once: a hundred concurrent bad logins queued a hundred hashes in libuv's pool and a correct
 * login waited behind all of them (16 s). Two levels of p-queue: each client's own line (one at a
 * time) feeds the shared slots, so the shared line holds at most one check per client and takes
 * clients in turn. p-queue drops a waiting entry when its abort signal fires (the wait timeout).
 */
export function createHashGate(opts: HashGateOptions = DEFAULT_HASH_GATE): HashGate {
  const slots = new PQueue({ concurrency: opts.concurrency });
  const clients = new Map<string, { line: PQueue; underWay: number }>();
  const retryAfterS = Math.max(1, Math.ceil(opts.maxWaitMs / 1000));

  return {
    async run(client, check) {
      let c = clients.get(client);
      if (c && c.underWay >= opts.perClient) throw new HashGateRefused('client', retryAfterS);
      if (slots.size >= opts.maxWaiting) throw new HashGateRefused('busy', retryAfterS);
      if (!c) clients.set(client, (c = { line: new PQueue({ concurrency: 1 }), underWay: 0 }));
      c.underWay++;
      const waited = new AbortController();
      const timer = setTimeout(() => waited.abort(new HashGateRefused('busy', retryAfterS)), opts.maxWaitMs);
      const signal = waited.signal;
      try {
        return await c.line.add(
          () =>
            slots.add(
              () => {
                // Once started, a check runs to its end: the timeout bounds the wait, not the hash.
                clearTimeout(timer);
                return check();
              },
              { signal },
            ),
          { signal },
        );
      } finally {
        clearTimeout(timer);
        if (--c.underWay === 0) clients.delete(client);
      }
    },
  };
}
