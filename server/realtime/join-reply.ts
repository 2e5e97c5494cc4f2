import { ok, type Ack } from '../../shared/ack.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import { maskSnapshot } from '../privacy/mask.ts';
import { PreEncoded } from './pre-encoded.ts';

/**
 * The reply to a `subscribe`, shared by every screen that joins a room on one snapshot: written as
 * JSON once for all of them (and once more, masked, if a public screen is among them).
 */
export class JoinReply {
  private plain: PreEncoded<Ack<Snapshot>> | undefined;
  private masked: PreEncoded<Ack<Snapshot>> | undefined;

  constructor(readonly snapshot: Snapshot) {}

  get seq(): number {
    return this.snapshot.seq;
  }

  /** The ack for one screen; `publicMode` screens get personal data masked. */
  ack(publicMode: boolean): PreEncoded<Ack<Snapshot>> {
    if (publicMode) return (this.masked ??= new PreEncoded(JSON.stringify(ok(maskSnapshot(this.snapshot)))));
    return (this.plain ??= new PreEncoded(JSON.stringify(ok(this.snapshot))));
  }
}
