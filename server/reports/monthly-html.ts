/**
 * The monthly 通报 as one printable HTML page (A4 portrait): a red masthead, the numbered sections
 * of a 政法委-style bulletin, tables whose headers repeat on every printed page and rows that never
 * split. The same page is what the PDF renders (pdf.ts), so screen, print and PDF cannot drift.
 */
import {
  DEPARTMENT_FIGURES,
  DESK_FIGURES,
  FIGURE_FORMULAS,
  FIGURE_LABELS,
  type Figure,
  type ChildDepartmentsRow,
} from '../../shared/schemas/assessment.ts';
import { WARNING_LEVEL_LABELS } from '../../shared/vocab.ts';
import { CHILDREN_LABELS } from '../../shared/regions.ts';
import { NO_PROBLEM_REGISTER } from '../assessment/problem-source.ts';
import { isoBeijing } from '../time/beijing.ts';
import { html, Markup } from './html.ts';
import type { MonthlyReport } from './monthly-data.ts';

const CN_NUMBERS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

const pct = (f: Figure | null | undefined) => (f && f.rate !== null ? `${(f.rate * 100).toFixed(1)}%` : '—');

/** `2026-11-03T09:00` → `11月3日 09:00` */
function when(ms: number): string {
  const iso = isoBeijing(ms);
  return `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日 ${iso.slice(11, 16)}`;
}

function dateCn(ms: number): string {
  const iso = isoBeijing(ms);
  return `${iso.slice(0, 4)}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`;
}

/** A figure's cell: the rate, then its counts and rank (a rate over too few is shown as counts only). */
function figureCell(f: Figure | null, min: number): Markup {
  if (!f) return html`<td class="na">—</td>`;
  if (f.den === 0) return html`<td class="na">无</td>`;
  if (f.den < min) return html`<td class="small">${f.num}/${f.den}<br /><span class="note">样本少</span></td>`;
  // Counts and rank on lines of their own: a narrow column must not break "第12" or a count apart.
  return html`<td>
    ${pct(f)}<br /><span class="note">${f.num}/${f.den}</span
    >${f.rank ? html`<br /><span class="note">第${f.rank}名</span>` : ''}
  </td>`;
}

/** 1–3日、10–30日 */
function dayRanges(days: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < days.length;) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
    out.push(i === j ? `${days[i]}日` : `${days[i]}–${days[j]}日`);
    i = j + 1;
  }
  return out.join('、');
}

function coverageText(r: MonthlyReport): string {
  const { covered, days, knownFrom } = r.coverage;
  if (!r.hasData)
    return `本月（${r.month}）无任何数据：系统在本月未接收到警情、矛盾纠纷，也未生成预警，以下各项均无数据。`;
  const span = r.provisional ? '截至目前' : '本月';
  const unknown = knownFrom > 1 ? `${knownFrom}日以前的逐日数据已超过保留期，无法逐日核对；` : '';
  if (covered.length === days) return `${span}数据覆盖全月${days}天。`;
  return `${unknown}${span}有数据的日期为${dayRanges(covered) || '（无）'}，共${covered.length}天（全月${days}天）；其余日期系统未接收到数据，本月数据不完整，相关数字请结合覆盖天数理解。`;
}

const CSS = `
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
* { box-sizing: border-box; }
html { background: #e8e8e8; }
body { font-family: 'Noto Serif CJK SC', 'Source Han Serif SC', 'Songti SC', 'SimSun', serif; font-size: 11pt;
  line-height: 1.65; color: #111; margin: 0 auto; padding: 16mm 15mm; max-width: 210mm; background: #fff; }
@media print { html { background: none; } body { padding: 0; max-width: none; } }
.masthead { text-align: center; color: #c8161d; font-size: 30pt; font-weight: 900; letter-spacing: 0.12em; margin: 4mm 0 2mm; }
.issue-line { display: flex; justify-content: space-between; font-size: 11pt; padding-bottom: 2mm; border-bottom: 2.5pt solid #c8161d; }
.issue-line + .rule { border-top: 0.8pt solid #c8161d; margin-top: 1mm; }
h1 { font-size: 17pt; text-align: center; margin: 7mm 0 5mm; line-height: 1.4; font-weight: 700; }
h2 { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif; font-size: 13pt; margin: 6mm 0 2mm; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 3mm 0 1.5mm; break-after: avoid; font-weight: 700; }
p { text-indent: 2em; margin: 1.5mm 0; text-align: justify; }
p.flush { text-indent: 0; }
.provisional { border: 1pt solid #c8161d; color: #c8161d; padding: 1mm 3mm; display: inline-block; font-size: 10pt; }
table { width: 100%; border-collapse: collapse; font-size: 8.6pt; line-height: 1.35; margin: 1mm 0 3mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #444; padding: 1.2mm 1.4mm; vertical-align: middle; text-align: center; }
th { background: #f1f1f1; font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif; font-weight: 700; }
td.left, th.left { text-align: left; }
td.na { color: #888; }
td.small { color: #555; }
.note { font-size: 7.4pt; color: #555; white-space: nowrap; }
.up { color: #1a7f37; } .down { color: #c8161d; }
.grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; margin: 2mm 0 3mm; }
.grid div { border: 0.6pt solid #999; padding: 1.5mm 2mm; break-inside: avoid; }
.grid b { display: block; font-size: 14pt; font-family: 'Noto Sans CJK SC', sans-serif; }
.grid span { font-size: 8.5pt; color: #444; }
.empty { text-indent: 0; color: #555; }
.footer { margin-top: 8mm; border-top: 0.8pt solid #999; padding-top: 2mm; font-size: 9pt; color: #444; }
.footer p { text-indent: 0; }
ol.defs { font-size: 9pt; margin: 1mm 0; padding-left: 6mm; }
`;

function section(n: number, title: string, body: Markup): Markup {
  return html`<section>
    <h2>${CN_NUMBERS[n]}、${title}</h2>
    ${body}
  </section>`;
}

function overview(r: MonthlyReport): Markup {
  const h = r.headline;
  const own = r.assessment.own.figures;
  const alertsTotal = Object.values(h.alerts).reduce((a, b) => a + b, 0);
  const levels = (['red', 'orange', 'yellow', 'blue'] as const)
    .map((l) => `${WARNING_LEVEL_LABELS[l]}${h.alerts[l]}条`)
    .join('、');
  const idx =
    h.index?.score != null
      ? `${h.index.score.toFixed(1)}分${h.index.rank ? `，在同级${h.index.rank.of}个地区中列第${h.index.rank.position}位` : ''}`
      : '暂无';
  const tiles: [string, string][] = [
    ['平安指数', h.index?.score != null ? h.index.score.toFixed(1) : '—'],
    ['警情', `${h.incidents}起`],
    ['矛盾纠纷', `${h.disputes}件`],
    ['预警', `${alertsTotal}条`],
    ['签收及时率', pct(own.signOnTime)],
    ['办结及时率', pct(own.resolveOnTime)],
    ['化解率', pct(own.disputeResolution)],
    ['上报及时率', pct(own.reportOnTime)],
  ];
  return html` <p>
      ${r.provisional ? '本月截至目前' : '本月'}，${r.region.name}共接报警情${h.incidents}起、矛盾纠纷${h.disputes}件，化解矛盾纠纷${h.resolved}件，化解率${pct(own.disputeResolution)}，调解成功率${pct(own.mediationSuccess)}。平台生成预警${alertsTotal}条，其中${levels}。
    </p>
    <p>
      签收及时率${pct(own.signOnTime)}，办结及时率${pct(own.resolveOnTime)}，上报及时率${pct(own.reportOnTime)}，督办按期率${pct(own.supervisionOnTime)}${r.assessment.problemRegister ? `，重点问题销号率${pct(own.problemsClosed)}` : ''}。平安指数${idx}。
    </p>
    <div class="grid">${tiles.map(([k, v]) => html`<div><span>${k}</span><b>${v}</b></div>`)}</div>`;
}

function indexSection(r: MonthlyReport): Markup {
  if (!r.index || r.index.length === 0) return html`<p class="empty">本月暂无下级地区的平安指数。</p>`;
  return html` <p>按平安指数由高到低排列；评分项不全的地区排在评分项齐全的地区之后（同类相比）。</p>
    <table>
      <thead>
        <tr>
          <th>名次</th>
          <th class="left">地区</th>
          <th>平安指数</th>
          <th>上月</th>
          <th>较上月</th>
          <th>评分项</th>
        </tr>
      </thead>
      <tbody>
        ${r.index.map((row) => {
          const change =
            row.change === null
              ? html`—`
              : html`<span class="${row.change > 0 ? 'up' : row.change < 0 ? 'down' : ''}"
                  >${row.change > 0 ? '↑' : row.change < 0 ? '↓' : ''}${Math.abs(row.change).toFixed(1)}</span
                >`;
          return html`<tr>
            <td>${row.rank ?? '—'}</td>
            <td class="left">${row.name}</td>
            <td>${row.score === null ? '—' : row.score.toFixed(1)}</td>
            <td>${row.last === null ? '—' : row.last.toFixed(1)}</td>
            <td>${change}</td>
            <td>${row.scored}/${row.total}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}

/**
 * One table of assessment rows: a name column, the given figures as "分子/分母 · 名次" cells, and any
 * plain columns before or after them (the desks', the departments' and the children's tables).
 */
function figureTable<R extends { name: string; figures: Partial<Record<string, Figure | null>> }>(
  nameHeader: string,
  figures: readonly (keyof typeof FIGURE_LABELS)[],
  rows: readonly R[],
  min: number,
  extra: { before?: [string, (r: R) => string | number][]; after?: [string, (r: R) => string | number][] } = {},
): Markup {
  const before = extra.before ?? [];
  const after = extra.after ?? [];
  return html`<table>
    <thead>
      <tr>
        <th class="left">${nameHeader}</th>
        ${before.map(([h]) => html`<th>${h}</th>`)} ${figures.map((f) => html`<th>${FIGURE_LABELS[f]}</th>`)}
        ${after.map(([h]) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            <td class="left">${row.name}</td>
            ${before.map(([, v]) => html`<td>${v(row)}</td>`)}
            ${figures.map((f) => figureCell(row.figures[f] ?? null, min))}
            ${after.map(([, v]) => html`<td>${v(row)}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The children's 职能部门: each child's departments (every level below it) summed, ranked among them. */
function childDepartmentsPart(group: string, rows: readonly ChildDepartmentsRow[], min: number): Markup {
  return html`<p>${group}职能部门分派报到、反馈情况（辖区内各级部门合计，排名）：</p>
    ${figureTable('地区', DEPARTMENT_FIGURES, rows, min, { before: [['参与部门', (r) => r.departments]] })}`;
}

function assessmentSection(r: MonthlyReport): Markup {
  const a = r.assessment;
  const min = a.minRankedDenominator;
  const deskFigures = DESK_FIGURES.filter(
    (f) => a.problemRegister || (f !== 'problemsClosed' && f !== 'milestonesOnTime'),
  );
  const rows = [...a.desks, { ...a.own, name: `${a.own.name}（合计）` }];
  return html` <p>
      各项比率下为“分子/分母”和同级名次；分母不足${min}的只列数字、不参加排名。${a.problemRegister ? '' : `${NO_PROBLEM_REGISTER}，重点问题销号率、整改按期率暂不考核。`}
    </p>
    <h3>（一）值班台</h3>
    ${figureTable('值班台', deskFigures, rows, min)}
    <h3>（二）职能部门</h3>
    ${a.departmentsByChild ? childDepartmentsPart(CHILDREN_LABELS[a.region.level] ?? '', a.departmentsByChild, min) : ''}
    ${
      a.departments.length === 0
        ? html`<p class="empty">${a.region.level === 'nation' ? '全国层面' : '本级'}未登记职能部门。</p>`
        : figureTable('部门', DEPARTMENT_FIGURES, a.departments, min, {
            after: [['逾期整改措施', (d) => d.milestonesOverdue ?? '—']],
          })
    }`;
}

function redAlertSection(r: MonthlyReport): Markup {
  if (r.redAlerts.length === 0) return html`<p class="empty">本月未生成红色预警。</p>`;
  return html` <p>本月生成红色预警${r.headline.alerts.red}条，处置情况如下。</p>
    <table>
      <thead>
        <tr>
          <th>序号</th>
          <th class="left">预警事项</th>
          <th class="left">发生地</th>
          <th>生成时间</th>
          <th>签收</th>
          <th class="left">处置结果</th>
          <th>督办</th>
          <th class="left">分派部门</th>
        </tr>
      </thead>
      <tbody>
        ${r.redAlerts.map(
          (a, i) =>
            html`<tr>
              <td>${i + 1}</td>
              <td class="left">${a.title}</td>
              <td class="left">${a.place}</td>
              <td>${when(a.createdAt)}</td>
              <td>${a.sign}</td>
              <td class="left">${a.outcome}</td>
              <td>${a.supervision}</td>
              <td class="left">${a.departments}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function problemSection(r: MonthlyReport): Markup {
  const p = r.problems;
  if (!p) return html`<p class="empty">${NO_PROBLEM_REGISTER}。</p>`;
  return html` <p>
      本月新列入重点问题${p.registered}个，销号${p.struckOff.length}个，仍在册${p.open.length}个；本月到期整改措施${p.milestonesDue}项，按期完成${p.milestonesOnTime}项。
    </p>
    <h3>（一）本月销号</h3>
    ${
      p.struckOff.length === 0
        ? html`<p class="empty">本月无销号问题。</p>`
        : html`<table>
            <thead>
              <tr>
                <th>序号</th>
                <th class="left">问题</th>
                <th>列入时星级</th>
                <th>销号时间</th>
              </tr>
            </thead>
            <tbody>
              ${p.struckOff.map(
                (x, i) =>
                  html`<tr>
                    <td>${i + 1}</td>
                    <td class="left">${x.title}</td>
                    <td>${'★'.repeat(x.starsAtStart)}</td>
                    <td>${when(x.struckAt)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <h3>（二）仍在册</h3>
    ${
      p.open.length === 0
        ? html`<p class="empty">无仍在册问题。</p>`
        : html`<table>
            <thead>
              <tr>
                <th>序号</th>
                <th class="left">问题</th>
                <th>当前星级</th>
                <th class="left">牵头部门</th>
              </tr>
            </thead>
            <tbody>
              ${[...p.open]
                .sort((a, b) => b.stars - a.stars)
                .map(
                  (x, i) =>
                    html`<tr>
                      <td>${i + 1}</td>
                      <td class="left">${x.title}</td>
                      <td>${'★'.repeat(x.stars)}</td>
                      <td class="left">${x.leadDepartment}</td>
                    </tr>`,
                )}
            </tbody>
          </table>`
    }`;
}

function overdueSection(r: MonthlyReport): Markup {
  if (r.overdue.length === 0) return html`<p class="empty">本月无逾期事项。</p>`;
  return html` <p>以下事项未在期限内完成，点名通报，请有关值班台和部门抓紧办理。</p>
    <table>
      <thead>
        <tr>
          <th>类别</th>
          <th class="left">值班台</th>
          <th class="left">部门</th>
          <th class="left">事项</th>
          <th>期限</th>
        </tr>
      </thead>
      <tbody>
        ${r.overdue.map(
          (o) =>
            html`<tr>
              <td>${o.kind}</td>
              <td class="left">${o.desk}</td>
              <td class="left">${o.department}</td>
              <td class="left">${o.item}</td>
              <td>${when(o.deadline)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function notes(r: MonthlyReport): Markup {
  const figures = [...DESK_FIGURES, ...DEPARTMENT_FIGURES];
  return html` <p class="flush">1. 数据覆盖：${coverageText(r)}</p>
    <p class="flush">
      2.
      预警按生成月份计入考核；${r.filling ? '本月历史数据仍在回填，以上为暂估数，回填完成后固化。' : r.provisional ? '本月尚未结束，以上为暂估数，月末次日零时五分固化。' : '以上数字已固化（次月1日零时五分；历史数据回填的月份在回填完成后），此后补报的数据不改变本通报。'}
    </p>
    <p class="flush">3. 指标口径：</p>
    <ol class="defs">
      ${figures.map((f) => html`<li>${FIGURE_LABELS[f]} = ${FIGURE_FORMULAS[f]}</li>`)}
    </ol>`;
}

export function monthlyHtml(r: MonthlyReport): string {
  const [y, m] = r.month.split('-');
  const monthCn = `${y}年${Number(m)}月`;
  const issuer = `${r.region.name}社会治安综合治理中心`;
  const title = `关于${monthCn}平安建设督办考核情况的通报`;
  let n = 0;
  const body = r.hasData
    ? html` ${section(n++, '总体情况', overview(r))} ${section(n++, '平安指数排名', indexSection(r))}
      ${section(n++, '督办考核情况', assessmentSection(r))} ${section(n++, '红色预警处置情况', redAlertSection(r))}
      ${section(n++, '重点问题降星销号情况', problemSection(r))} ${section(n++, '逾期事项点名', overdueSection(r))}
      ${section(n++, '有关说明', notes(r))}`
    : html`${section(n++, '总体情况', html`<p>${coverageText(r)}</p>`)}${section(n++, '有关说明', notes(r))}`;
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <title>${r.region.name}${title}</title>
        <style>
          ${new Markup(CSS)}
        </style>
      </head>
      <body>
        <div class="masthead">平安建设工作通报</div>
        <div class="issue-line">
          <span>${issuer}</span><span>${y}年第${Number(m)}期</span><span>${dateCn(r.generatedAt)}</span>
        </div>
        <div class="rule"></div>
        <h1>
          ${title}${r.provisional ? html`<br /><span class="provisional">暂估 · 截至${when(r.generatedAt)}</span>` : ''}
        </h1>
        <p class="flush">各${r.region.level === 'township' ? '村（社区）' : '地区'}综治中心、各有关部门：</p>
        <p>现将${monthCn}${r.region.name}平安建设督办考核情况通报如下。</p>
        ${body}
        <div class="footer">
          <p>${issuer}　　${dateCn(r.generatedAt)}印发</p>
          <p>本通报由平安指挥中心根据平台数据自动生成，统计口径见“有关说明”。</p>
        </div>
      </body>
    </html>`.html;
}
