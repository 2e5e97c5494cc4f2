import type { ErrorCode } from '../../../shared/ack.ts';
import { ERROR_TEXT } from './api.ts';

/**
 * Downloads an export (`/api/v1/…/export?…`) with the bearer token, which a plain link cannot
 * send, and saves it under the file name the server gave. Resolves with null, or with the Chinese
 * reason it was refused (an export over its row limit says so).
 */
export async function downloadExport(path: string, token: string | null): Promise<string | null> {
  let res: Response;
  try {
    res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch {
    return ERROR_TEXT.unavailable;
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: ErrorCode } } | null;
    return ERROR_TEXT[body?.error?.code ?? 'internal'] ?? ERROR_TEXT.internal;
  }
  const disposition = res.headers.get('content-disposition') ?? '';
  const m = /filename\*=UTF-8''([^;]+)/.exec(disposition);
  const name = m ? decodeURIComponent(m[1]!) : 'export';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return null;
}
