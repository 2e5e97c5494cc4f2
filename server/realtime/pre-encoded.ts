import { Decoder, Encoder, PacketType, protocol, type Packet } from 'socket.io-parser';

/**
 * An acknowledgement whose JSON was written once for many sockets (every screen joining a room in
 * one batch gets the same snapshot). Socket.IO's encoder would walk and stringify the object again
 * for each socket; `preEncodingParser` writes these bytes as they are. Given to any other encoder,
 * it turns back into its value, so the wire is the same either way.
 */
export class PreEncoded<T> {
  constructor(readonly json: string) {}

  toJSON(): T {
    return JSON.parse(this.json) as T;
  }

  /** Typed as what the client receives, for a typed ack callback. */
  asSent(): T {
    return this as unknown as T;
  }
}

/** Socket.IO's own encoder, except that an ack of one `PreEncoded` argument is written as is. */
class PreEncodingEncoder extends Encoder {
  override encode(packet: Packet): ReturnType<Encoder['encode']> {
    const data = packet.data as unknown[] | undefined;
    const only = data?.length === 1 ? data[0] : undefined;
    if (packet.type !== PacketType.ACK || !(only instanceof PreEncoded)) return super.encode(packet);
    // The string form of socket.io-parser's encodeAsString: type, namespace unless '/', id, [args].
    const nsp = packet.nsp && packet.nsp !== '/' ? `${packet.nsp},` : '';
    return [`${PacketType.ACK}${nsp}${packet.id ?? ''}[${only.json}]`];
  }
}

/** The `parser` option of the Socket.IO server: socket.io-parser with the encoder above. */
export const preEncodingParser = { protocol, Encoder: PreEncodingEncoder, Decoder, PacketType };
