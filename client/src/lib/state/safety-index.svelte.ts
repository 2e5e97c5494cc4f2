import type { SafetyIndexReply } from '../../../../shared/schemas/safety-index.ts';
import type { TimelinessReply } from '../../../../shared/schemas/timeliness.ts';
import { FollowedReply } from './followed.svelte.ts';

/** The shown region's 平安指数, fetched every five minutes (see FollowedReply). */
export class SafetyIndexState extends FollowedReply<SafetyIndexReply> {}

/** The shown region's 上报及时率 this month (province down to township), shown beside its 平安指数. */
export class TimelinessState extends FollowedReply<TimelinessReply> {}
