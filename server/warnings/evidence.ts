import type { AlertEvidence } from '../../shared/alert-machine.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import {
  CATEGORY_LABELS,
  RISK_MARKER_LABELS,
  SEVERITY_LABELS,
  WARNING_LEVELS,
  type RiskMarker,
  type Severity,
  type WarningLevel,
} from '../../shared/vocab.ts';
import { isoBeijing } from '../time/beijing.ts';

/** An event as evidence on an alert (the summary stays plain text, as everywhere). */
export function evidenceOf(e: StoredEvent): AlertEvidence {
  return {
    id: e.id,
    at: isoBeijing(e.ts),
    summary: e.summary,
    caseId: e.caseId,
    region: e.region,
    category: e.category,
    status: e.status,
    severity: e.severity,
    ...(e.riskMarkers?.length ? { riskMarkers: [...e.riskMarkers] } : {}),
  };
}

export const markerList = (ms: readonly RiskMarker[]) => ms.map((m) => `「${RISK_MARKER_LABELS[m]}」`).join('');
export const categoryLabel = (c: string) => CATEGORY_LABELS[c as keyof typeof CATEGORY_LABELS] ?? c;
/** 婚姻家庭纠纷, 邻里纠纷, 劳动争议: a dispute category named as a dispute, without 纠纷纠纷. */
export const disputeName = (c: string) => {
  const label = categoryLabel(c);
  return /(纠纷|争议)$/.test(label) ? label : `${label}纠纷`;
};
export const severityLabel = (s: number) => SEVERITY_LABELS[s as Severity] ?? String(s);

/** 10:15 (Beijing), or 11月22日 10:15 when not today relative to `now`. */
export function shortTime(ms: number, now: number): string {
  const iso = isoBeijing(ms);
  const hm = iso.slice(11, 16);
  return iso.slice(0, 10) === isoBeijing(now).slice(0, 10)
    ? hm
    : `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日 ${hm}`;
}

/** The more severe of two levels. */
export function worse(a: WarningLevel, b: WarningLevel): WarningLevel {
  return WARNING_LEVELS.indexOf(a) <= WARNING_LEVELS.indexOf(b) ? a : b;
}

/** The most severe level whose threshold `value` reaches, from `{level: minimum}`. */
export function levelFor(value: number, thresholds: Partial<Record<WarningLevel, number>>): WarningLevel | undefined {
  for (const l of WARNING_LEVELS) {
    const min = thresholds[l];
    if (min !== undefined && value >= min) return l;
  }
  return undefined;
}

/** Longest common ancestor code of several region codes (at least the province). */
export function commonAncestor(codes: readonly string[]): string {
  let prefix = codes[0] ?? '';
  for (const c of codes.slice(1)) {
    let i = 0;
    while (i < prefix.length && i < c.length && prefix[i] === c[i]) i++;
    prefix = prefix.slice(0, i);
  }
  for (const len of [12, 9, 6, 4, 2]) if (prefix.length >= len) return prefix.slice(0, len);
  return prefix;
}
