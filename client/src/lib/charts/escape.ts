/**
 * Escapes text for the HTML that ECharts tooltip formatters return. Every formatter builds its
 * HTML from constants and escaped text only: event summaries and names come from 204 outside
 * systems and are never trusted as markup.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};
