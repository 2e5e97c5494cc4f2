import { CHANNELS, CHANNEL_LABELS, type Channel } from '../../../../../shared/vocab.ts';

export interface ChannelRow {
  channel: Channel;
  label: string;
  value: number;
  /** Share of today's cases, 0–1 (0 when there are none). */
  share: number;
}

/** 多元受理: every channel in a fixed order (the eye learns where each one is), with its share. */
export function channelRows(byChannel: Partial<Record<Channel, number>> | undefined): ChannelRow[] {
  const values = CHANNELS.map((c) => Math.max(0, byChannel?.[c] ?? 0));
  const total = values.reduce((a, b) => a + b, 0);
  return CHANNELS.map((channel, i) => ({
    channel,
    label: CHANNEL_LABELS[channel],
    value: values[i]!,
    share: total > 0 ? values[i]! / total : 0,
  }));
}
