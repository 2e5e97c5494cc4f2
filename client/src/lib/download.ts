import { ApiFailure, ERROR_TEXT } from './api.ts';

/**
 * Fetches a file the API serves behind the bearer token (a plain link cannot send it) and hands it
 * to the browser: saved under its server-given name, or opened in a new tab (a PDF to read and
 * print). The object URL is revoked once the browser has taken it.
 */
export async function downloadFile(
  getToken: () => string | null,
  path: string,
  how: 'save' | 'open',
  fetchImpl: typeof fetch = (...a) => fetch(...a),
): Promise<void> {
  const token = getToken();
  const res = await fetchImpl(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} }).catch(() => {
    throw new ApiFailure(0, 'unavailable', 'network error');
  });
  if (!res.ok) {
    const err = (
      (await res.json().catch(() => null)) as { error?: { code?: ApiFailure['code']; message?: string } } | null
    )?.error;
    throw new ApiFailure(res.status, err?.code ?? 'internal', err?.message ?? res.statusText);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  if (how === 'save') a.download = fileName(res.headers.get('content-disposition')) ?? 'export';
  else a.target = '_blank';
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `filename*=UTF-8''…` of a Content-Disposition (the Chinese name), else its plain `filename`. */
export function fileName(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]!);
  return /filename="([^"]+)"/i.exec(header)?.[1];
}

/**
 * An export (`/api/v1/…/export?…`) saved under the server's file name: null when it was, else the
 * Chinese reason it was refused (an export over its row limit says so).
 */
export async function downloadExport(path: string, token: string | null): Promise<string | null> {
  try {
    await downloadFile(() => token, path, 'save');
    return null;
  } catch (err) {
    return (err instanceof ApiFailure ? ERROR_TEXT[err.code] : undefined) ?? ERROR_TEXT.internal;
  }
}
