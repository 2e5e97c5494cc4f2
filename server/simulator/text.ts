/**
 * Chinese summaries from templates: place + what happened + what was done. No personal names —
 * only roles (村民、业主、务工人员) — since these strings end up on a public-facing wall.
 */
import type { Channel, DisputeCategory, IncidentCategory, RiskMarker, Status } from '../../shared/vocab.ts';
import { pickOne, type Rand } from './prng.ts';
import type { Place } from './weights.ts';

const SUMMARY_MAX = 500;

const DISPUTE_ISSUES: Record<DisputeCategory, readonly string[]> = {
  family: [
    '夫妻因家庭琐事发生争吵',
    '婆媳因赡养老人问题产生矛盾',
    '兄弟因分家析产发生纠纷',
    '夫妻因离婚及子女抚养问题发生纠纷',
    '子女因老人赡养费分担产生分歧',
  ],
  neighbour: [
    '邻里因宅基地界线发生纠纷',
    '两户村民因排水沟渠发生争执',
    '邻里因房屋漏水发生纠纷',
    '邻里因通行道路发生争执',
    '两户村民因树木遮挡采光发生矛盾',
    '邻里因饲养牲畜扰邻发生纠纷',
  ],
  land: [
    '村民因土地承包地边界发生纠纷',
    '两个村民小组因林地权属发生争议',
    '村民因土地流转费用发生纠纷',
    '村民因征地补偿款分配产生矛盾',
    '村民因灌溉用水分配发生争执',
  ],
  labour: [
    '务工人员反映工资被拖欠',
    '农民工因劳务费结算发生纠纷',
    '职工因工伤赔偿与企业发生争议',
    '务工人员因解除劳动合同发生纠纷',
  ],
  debt: [
    '村民之间因民间借贷到期未还发生纠纷',
    '个体户因货款拖欠发生纠纷',
    '亲戚之间因借款归还问题发生争执',
    '村民因合伙经营账目不清发生纠纷',
  ],
  property: [
    '小区业主与物业公司因物业费收取发生纠纷',
    '业主因小区停车位使用与物业发生争执',
    '业主因电梯维修费用分摊发生纠纷',
    '业主因房屋质量问题与开发商发生纠纷',
  ],
  medical: ['患者家属对诊疗结果有异议与医院发生纠纷', '村民对卫生院治疗费用有异议发生纠纷'],
  other: [
    '村民因车辆剐蹭赔偿发生纠纷',
    '商户因门前摊位占道发生纠纷',
    '村民因牲畜损坏庄稼赔偿发生纠纷',
    '消费者因商品退换与商户发生纠纷',
  ],
};

const INCIDENT_ISSUES: Record<IncidentCategory, readonly string[]> = {
  public_order: [
    '发生一起打架斗殴警情',
    '发生一起酒后滋事警情',
    '群众报警称有人寻衅滋事',
    '发生一起噪音扰民警情',
    '发生一起聚众赌博警情',
  ],
  traffic: ['发生一起两车剐蹭交通事故', '发生一起电动车与轿车碰撞事故', '发生一起单车事故', '发生一起货车侧翻事故'],
  criminal: [
    '发生一起入室盗窃案件',
    '发生一起电动车被盗案件',
    '发生一起故意伤害案件',
    '发生一起抢夺案件',
    '发生一起盗窃牲畜案件',
  ],
  fraud: [
    '群众报警称遭遇冒充客服类电信诈骗',
    '群众报警称遭遇网络刷单诈骗',
    '群众报警称遭遇冒充公检法诈骗',
    '群众报警称遭遇虚假投资理财诈骗',
  ],
  fire: ['发生一起民房火灾', '发生一起柴草堆火情', '发生一起车辆自燃', '发生一起商铺火情'],
  petition: ['群众反映拆迁安置补偿问题', '群众反映农村低保评定问题', '群众反映拖欠工程款问题', '群众反映环境污染问题'],
  homicide: ['发生一起命案', '发生一起致人死亡案件'],
};

/** Issues of a spike: the same kind of trouble, many calls. */
export const SPIKE_ISSUES: Partial<Record<IncidentCategory, readonly string[]>> = {
  public_order: ['多人聚集发生冲突', '多人打架斗殴', '群众聚集围堵'],
  criminal: ['发生多起车辆被撬盗窃案件', '发生一起聚众斗殴致人受伤案件'],
};

const RECEIVED_BY_CHANNEL: Record<Channel, string> = {
  grid: '网格员已上报',
  walk_in: '当事人来访反映',
  hotline_12345: '群众拨打12345热线反映',
  app: '群众通过手机端反映',
  police_110: '110接警后移交调解',
  petition: '信访部门转办',
  court: '法院诉前委派调解',
};

const REPORTED_BY_CHANNEL: Record<Channel, string> = {
  police_110: '110接警',
  hotline_12345: '12345热线转办',
  grid: '网格员上报',
  app: '群众通过手机端报告',
  walk_in: '群众来所报案',
  petition: '信访登记',
  court: '法院移送',
};

const DISPATCH_TO = ['乡镇综治中心', '司法所', '村人民调解委员会', '派出所', '行业性专业调解组织'] as const;

const MARKER_TEXT: Record<RiskMarker, string> = {
  violence_threat: '当事人情绪激动，有暴力倾向',
  weapon: '一方持械',
  kill_threat: '一方扬言杀人',
  self_harm: '当事人有自伤自杀倾向',
  mass_gathering: '现场有群众聚集',
  minor_involved: '涉及未成年人',
  escalating: '矛盾有激化倾向，已列为重点关注',
};

export function placeLabel(place: Place): string {
  return `${place.countyLabel}${place.township ?? ''}${place.village ?? ''}`;
}

export function pickIssue(rand: Rand, kind: 'incident' | 'dispute', category: string, spike = false): string {
  if (kind === 'dispute') return pickOne(rand, DISPUTE_ISSUES[category as DisputeCategory]);
  const spikeIssues = spike ? SPIKE_ISSUES[category as IncidentCategory] : undefined;
  return pickOne(rand, spikeIssues ?? INCIDENT_ISSUES[category as IncidentCategory]);
}

function incidentStepText(category: IncidentCategory, status: Status): string {
  if (status === 'handling') {
    if (category === 'petition') return '已交办责任单位办理';
    if (category === 'fire') return '消防救援力量已到场处置';
    if (category === 'traffic') return '交警已到场处置';
    return '民警已到场处置';
  }
  if (category === 'petition') return '已办结并答复当事人';
  if (category === 'criminal' || category === 'homicide' || category === 'fraud') return '案件已侦结';
  return '已处置完毕';
}

function disputeStepText(status: Status, dispatchTo: string, outcome?: 'resolved' | 'failed'): string {
  switch (status) {
    case 'dispatched':
      return `已分流至${dispatchTo}`;
    case 'mediating':
      return '调解员正在组织双方调解';
    case 'resolved':
      return '经调解双方达成协议，矛盾已化解';
    case 'failed':
      return '调解未达成一致，已引导当事人通过诉讼途径解决';
    default:
      return outcome === 'failed' ? '已回访核验，已告知当事人法律救济途径' : '已回访核验，当事人表示满意';
  }
}

export interface SummaryInput {
  kind: 'incident' | 'dispute';
  category: string;
  channel: Channel;
  place: Place;
  issue: string;
  status: Status;
  markers?: readonly RiskMarker[];
  /** Stable per case, so every step names the same department. */
  dispatchTo: string;
  outcome?: 'resolved' | 'failed';
}

export function pickDispatchTo(rand: Rand): string {
  return pickOne(rand, DISPATCH_TO);
}

/** e.g. 张掖市甘州区梁家墩镇清凉寺村邻里因宅基地界线发生纠纷，网格员已上报 */
export function summary(s: SummaryInput): string {
  const where = placeLabel(s.place);
  // Townspeople in a 社区 are 居民, not 村民.
  const issue = /(社区|生活区)$/.test(s.place.village ?? '') ? s.issue.replace(/^(两户)?村民/, '$1居民') : s.issue;
  const markers = (s.markers ?? []).map((m) => MARKER_TEXT[m]);
  let text: string;
  if (s.kind === 'dispute') {
    const step =
      s.status === 'received' ? RECEIVED_BY_CHANNEL[s.channel] : disputeStepText(s.status, s.dispatchTo, s.outcome);
    text = [`${where}${issue}`, ...markers, step].join('，');
  } else if (s.status === 'reported') {
    text = `${REPORTED_BY_CHANNEL[s.channel]}：${[`${where}${issue}`, ...markers].join('，')}`;
  } else {
    text = [`${where}${issue}`, ...markers, incidentStepText(s.category as IncidentCategory, s.status)].join('，');
  }
  return text.length > SUMMARY_MAX ? text.slice(0, SUMMARY_MAX) : text;
}
