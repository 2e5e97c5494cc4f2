// The conditions every benchmark prints beside its figures: the machine is shared, so a figure
// without its load average cannot be read.
import os from 'node:os';

/** CPU model, cores and memory. */
export const machine = () =>
  `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;

/** Load averages over 1 / 5 / 15 minutes. */
export const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
