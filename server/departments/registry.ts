import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connection.ts';
import { ancestry } from '../../shared/regions.ts';
import type { Department } from '../../shared/schemas/department.ts';
import { defaultDepartments } from './defaults.ts';

/**
 * The department registry (DESIGN.md "Departments and supervision"): the built-in set of each
 * region derived on read (./defaults.ts) plus what admins add, stored one hash per region under
 * the province's hash tag: `<prefix>dep:<region>` field id → `{name, kind?, contact?}`.
 */
export interface DepartmentRegistry {
  /** The departments a desk of `region` may call: its own first, then its ancestors', nearest first. */
  callable(region: string): Promise<Department[]>;
  /** One department by id, or undefined. */
  get(id: string): Promise<Department | undefined>;
  add(d: { region: string; name: string; kind?: string; contact?: string }): Promise<Department>;
}

/** The region a registry department's id belongs to: ids are `dep-<region>-…`. */
export function regionOfId(id: string): string | undefined {
  return /^dep-(\d{2,12})-/.exec(id)?.[1];
}

interface Stored {
  name: string;
  kind?: string;
  contact?: string;
}

export function createDepartmentRegistry(deps: { redis: RedisClient; prefix: string }): DepartmentRegistry {
  const key = (region: string) => `${deps.prefix}dep:${region}`;

  async function own(region: string): Promise<Department[]> {
    const builtin: Department[] = defaultDepartments(region).map((d) => ({ ...d, region, builtin: true }));
    const stored = await deps.redis.hgetall(key(region));
    const added = Object.entries(stored)
      .map(([id, raw]) => ({ id, region, ...(JSON.parse(raw) as Stored), builtin: false }))
      .sort((a, b) => a.id.localeCompare(b.id));
    return [...builtin, ...added];
  }

  return {
    async callable(region) {
      const levels = ancestry(region).reverse();
      return (await Promise.all(levels.map(own))).flat();
    },
    async get(id) {
      const region = regionOfId(id);
      if (!region) return undefined;
      return (await own(region)).find((d) => d.id === id);
    },
    async add(d) {
      const id = `dep-${d.region}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
      const stored: Stored = {
        name: d.name,
        ...(d.kind ? { kind: d.kind } : {}),
        ...(d.contact ? { contact: d.contact } : {}),
      };
      await deps.redis.hset(key(d.region), id, JSON.stringify(stored));
      return { id, region: d.region, ...stored, builtin: false };
    },
  };
}
