/**
 * One shape for every table the product exports (alert and case lists, the assessment, the monthly
 * 通报's tables), and its two file formats. CSV is written by csv-stringify and XLSX by exceljs: both
 * quote, escape and type cells the way spreadsheet programs expect, which hand-written output gets wrong
 * for commas, newlines, leading zeros of region codes and formula-looking text.
 */
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';
import type { ExportFormat } from '../../shared/schemas/export.ts';

export { EXPORT_FORMATS, type ExportFormat } from '../../shared/schemas/export.ts';

export interface Column<Row> {
  /** The column's Chinese header, as the screen it comes from names it. */
  header: string;
  value: (row: Row) => string | number | null;
  /** Approximate width in characters for XLSX. */
  width?: number;
}

export interface Table<Row = unknown> {
  /** Sheet name in XLSX (≤ 31 characters, no []:*?/\). */
  name: string;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
}

/** Text that a spreadsheet would run as a formula is prefixed with ' (OWASP CSV injection). */
function cell(v: string | number | null): string | number {
  if (v === null) return '';
  if (typeof v === 'number') return v;
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** UTF-8 with a byte-order mark: without it Excel on Windows reads Chinese CSV as GBK and garbles it. */
export function toCsv<Row>(table: Table<Row>): Buffer {
  const body = stringify(
    [table.columns.map((c) => c.header), ...table.rows.map((r) => table.columns.map((c) => cell(c.value(r))))],
    {
      record_delimiter: 'windows',
    },
  );
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, 'utf8')]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a workbook holds tables of different row types
export async function toXlsx(tables: readonly Table<any>[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = '平安指挥中心';
  for (const t of tables as readonly Table<unknown>[]) {
    const sheet = book.addWorksheet(t.name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31));
    sheet.columns = t.columns.map((c) => ({
      header: c.header,
      width: c.width ?? Math.max(8, c.header.length * 2 + 2),
    }));
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
    for (const r of t.rows) sheet.addRow(t.columns.map((c) => cell(c.value(r))));
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** Sends one table as CSV, or several as the sheets of one XLSX; `filename` without extension, may be Chinese. */
export async function sendTables(
  res: Response,
  format: ExportFormat,
  filename: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as toXlsx
  tables: readonly Table<any>[],
): Promise<void> {
  const encoded = encodeURIComponent(`${filename}.${format}`);
  res.setHeader('Content-Disposition', `attachment; filename="export.${format}"; filename*=UTF-8''${encoded}`);
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').send(toCsv(tables[0]!));
  } else {
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx(tables));
  }
}
