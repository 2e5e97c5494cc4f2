import type { AlertAction } from '../../../shared/alert-machine.ts';

/** What a key does on the console. */
export type DutyCommand =
  | { kind: 'action'; action: AlertAction }
  | { kind: 'move'; delta: number }
  | { kind: 'mute' }
  | { kind: 'help' }
  | { kind: 'note' }
  | { kind: 'escape' };

/** Letters of the actions, shown on their buttons. */
export const ACTION_KEYS: Partial<Record<AlertAction, string>> = {
  ack: 'A',
  dispatch: 'D',
  resolve: 'R',
  close: 'C',
  escalate: 'E',
  note: 'N',
  supervise: 'S',
};

const BY_KEY = new Map(Object.entries(ACTION_KEYS).map(([action, key]) => [key.toLowerCase(), action as AlertAction]));

/**
 * The console's keyboard: ↑/↓ (or K/J) move through the queue, the action letters act on the
 * selected alert, M mutes, ? shows help, Esc leaves a field. Keys typed into a field are the
 * field's own (only Esc and Ctrl+Enter are ours there).
 */
export function commandFor(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>,
  inField: boolean,
): DutyCommand | undefined {
  if (e.key === 'Escape') return { kind: 'escape' };
  if (inField) return undefined;
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  if (e.key === 'ArrowDown' || e.key === 'j') return { kind: 'move', delta: 1 };
  if (e.key === 'ArrowUp' || e.key === 'k') return { kind: 'move', delta: -1 };
  if (e.key === 'm' || e.key === 'M') return { kind: 'mute' };
  if (e.key === '?') return { kind: 'help' };
  const action = BY_KEY.get(e.key.toLowerCase());
  if (action === 'note') return { kind: 'note' };
  return action ? { kind: 'action', action } : undefined;
}
