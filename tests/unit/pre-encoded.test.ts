import { describe, expect, it } from 'vitest';
import { Encoder, PacketType } from 'socket.io-parser';
import { PreEncoded, preEncodingParser } from '../../server/realtime/pre-encoded.ts';

const value = { ok: true, data: { region: { code: '6207', name: '张掖市' }, seq: 3, list: [1, null, 'a"b'] } };

describe('preEncodingParser', () => {
  const ours = new preEncodingParser.Encoder();
  const theirs = new Encoder();

  it('writes an ack of pre-encoded JSON exactly as Socket.IO writes the value', () => {
    for (const nsp of ['/', '/admin'])
      for (const id of [0, 17])
        expect(ours.encode({ type: PacketType.ACK, nsp, id, data: [new PreEncoded(JSON.stringify(value))] })).toEqual(
          theirs.encode({ type: PacketType.ACK, nsp, id, data: [value] }),
        );
  });

  it('leaves every other packet to Socket.IO, and a pre-encoded value elsewhere turns back into its value', () => {
    const event = { type: PacketType.EVENT, nsp: '/', data: ['delta', value] };
    expect(ours.encode(event)).toEqual(theirs.encode(event));
    const inEvent = { type: PacketType.EVENT, nsp: '/', data: ['x', new PreEncoded(JSON.stringify(value))] };
    expect(ours.encode(inEvent)).toEqual(theirs.encode({ ...inEvent, data: ['x', value] }));
    const twoArgs = { type: PacketType.ACK, nsp: '/', id: 1, data: [new PreEncoded('[1]'), 2] };
    expect(ours.encode(twoArgs)).toEqual(['31[[1],2]']);
  });
});
