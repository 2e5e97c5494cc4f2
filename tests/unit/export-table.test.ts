import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { toCsv, toXlsx, type Table } from '../../server/exports/table.ts';

const table: Table<{ code: string; name: string; n: number }> = {
  name: '预警列表',
  columns: [
    { header: '区划代码', value: (r) => r.code },
    { header: '名称', value: (r) => r.name },
    { header: '数量', value: (r) => r.n },
  ],
  rows: [
    { code: '620702001', name: '梁家墩镇, "东"\n片', n: 3 },
    { code: '620702002', name: '=HYPERLINK("x")', n: 0 },
  ],
};

describe('export tables', () => {
  it('writes CSV with a BOM, quoted cells, CRLF and formula text defused', () => {
    const buf = toCsv(table);
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buf.subarray(3).toString('utf8');
    expect(text.split('\r\n')[0]).toBe('区划代码,名称,数量');
    expect(text).toContain('620702001,"梁家墩镇, ""东""\n片",3');
    expect(text).toContain(`620702002,"'=HYPERLINK(""x"")",0`);
  });

  it('writes XLSX that reads back with its sheet, headers, text codes and numbers', async () => {
    const book = new ExcelJS.Workbook();
    // exceljs types its input as the older Buffer type; the bytes are the same.
    await book.xlsx.load((await toXlsx([table])) as unknown as ExcelJS.Buffer);
    const sheet = book.getWorksheet('预警列表')!;
    expect(sheet).toBeDefined();
    expect(sheet.getRow(1).values).toEqual([undefined, '区划代码', '名称', '数量']);
    expect(sheet.getRow(2).getCell(1).value).toBe('620702001');
    expect(sheet.getRow(2).getCell(3).value).toBe(3);
    expect(sheet.getRow(3).getCell(2).value).toBe(`'=HYPERLINK("x")`);
  });
});
