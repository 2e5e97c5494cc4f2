/**
 * Peer groups: who a region is compared and ranked with. Cities and counties with every other one
 * of the province (a county's peers are all 88 counties, not only its city's few); townships and
 * villages with the others of their county, which are all stored in that county's township hashes
 * and so read together.
 */
import { levelOf, type Level } from '../../shared/regions.ts';
import type { RegionTree } from '../regions/tree.ts';

/** Official names of urban communities: …社区, …社区居委会, …居民委员会. */
const COMMUNITY = /社区|居委会|居民委员会/;

export interface PeerGroup {
  /** `county@62`, `village@620702`: the cache and lock name of the group. */
  id: string;
  level: Level;
  /** Province for cities and counties, county for townships and villages. */
  scope: string;
  members: string[];
}

export class PeerGroups {
  private readonly sizes = new Map<string, number>();
  private readonly groups = new Map<string, PeerGroup>();

  /** @param communityWeight how many villages an urban community (社区) counts for in a region's size. */
  constructor(
    private readonly tree: RegionTree,
    private readonly communityWeight = 1,
  ) {}

  /** The group a region belongs to; undefined for an unknown code. */
  of(code: string): PeerGroup | undefined {
    const level = levelOf(code);
    if (!level || !this.tree.has(code)) return undefined;
    // Cities and counties are compared within their province; provinces with each other (the
    // nation's children); the nation stands alone.
    const scope =
      level === 'township' || level === 'village'
        ? code.slice(0, 6)
        : level === 'city' || level === 'county'
          ? code.slice(0, 2)
          : this.tree.root;
    const id = `${level}@${scope}`;
    let g = this.groups.get(id);
    if (!g) {
      g = { id, level, scope, members: this.members(level, scope) };
      this.groups.set(id, g);
    }
    return g;
  }

  /** The group of a region's children (all children share one), or undefined for a village. */
  ofChildren(code: string): PeerGroup | undefined {
    const first = this.tree.children(code)[0];
    return first ? this.of(first.code) : undefined;
  }

  /**
   * Villages and communities (村社区) in a region's subtree, a community counting `communityWeight`
   * villages, at least 1: the size the peer median is scaled by. There is no population in the
   * region data; the number of villages follows it roughly, and an urban 社区 holds several times a
   * village's people.
   */
  size(code: string): number {
    let n = this.sizes.get(code);
    if (n === undefined) {
      if (levelOf(code) === 'village') n = COMMUNITY.test(this.tree.get(code)?.name ?? '') ? this.communityWeight : 1;
      else
        n = Math.max(
          1,
          this.tree.children(code).reduce((s, c) => s + this.size(c.code), 0),
        );
      this.sizes.set(code, n);
    }
    return n;
  }

  private members(level: Level, scope: string): string[] {
    if (level === 'nation') return [scope];
    if (level === 'province') return this.tree.provinces.slice();
    if (level === 'city' || level === 'county') return this.tree.codesAt(level).filter((c) => c.startsWith(scope));
    const towns = this.tree.children(scope).map((t) => t.code);
    return level === 'township' ? towns : towns.flatMap((t) => this.tree.children(t).map((v) => v.code));
  }
}
