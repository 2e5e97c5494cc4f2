/** `2026-11-22T10:15:03.120+08:00` → `2026-11-22 10:15:03` (Beijing time, as the screens show it). */
export const beijingCell = (iso: string) => iso.slice(0, 19).replace('T', ' ');
