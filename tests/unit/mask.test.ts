import { describe, expect, it } from 'vitest';
import { maskAlert, maskId, maskNames, maskPhones, maskText, maskTickerItem } from '../../server/privacy/mask.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { TickerItem } from '../../shared/events.ts';
import { loadRegionTree } from '../../server/regions/tree.ts';

describe('masking for public mode', () => {
  it('masks the given name of a person and keeps the surname', () => {
    expect(maskNames('村民张三丰与邻居李四因宅基地发生纠纷')).toBe('村民张**与邻居李*因宅基地发生纠纷');
    expect(maskNames('报警人：王小明称其电动车被盗')).toBe('报警人：王**称其电动车被盗');
    expect(maskNames('当事人欧阳娜娜来访反映')).toBe('当事人欧阳**来访反映');
    expect(maskNames('张三、李四、王五')).toBe('张*、李*、王*');
  });

  it('leaves names that are already withheld as they are', () => {
    expect(maskNames('村民张某某与李某因借款发生纠纷')).toBe('村民张某某与李某因借款发生纠纷');
  });

  it('does not mangle place names that begin with a surname character', () => {
    const places = [
      '张掖市甘州区梁家墩镇清凉寺村邻里因宅基地界线发生纠纷，网格员已上报',
      '110接警：白银市白银区发生一起入室盗窃案件',
      '武威市凉州区金昌路口发生一起两车剐蹭交通事故',
      '小区业主与物业公司因物业费收取发生纠纷',
    ];
    for (const p of places) expect(maskText(p), p).toBe(p);
  });

  it('leaves every region name of Gansu intact, wherever it stands in a sentence', async () => {
    const tree = await loadRegionTree('62');
    const mangled: string[] = [];
    for (const level of ['county', 'township', 'village'] as const) {
      for (const code of tree.codesAt(level)) {
        const info = tree.info(code)!;
        const path = [...info.ancestors.map((a) => a.name), info.name].join('');
        for (const text of [`${path}邻里因宅基地发生纠纷`, `110接警：${info.name}发生纠纷`, `，${info.name}与`]) {
          if (maskText(text) !== text) mangled.push(text);
        }
      }
    }
    expect(mangled).toEqual([]);
  });

  it('masks mobile numbers to the first three and last four digits', () => {
    expect(maskPhones('联系电话13812341234。')).toBe('联系电话138****1234。');
    expect(maskPhones('电话 138-1234-5678')).toBe('电话 138****5678');
    expect(maskPhones('+86 13912345678')).toBe('+86 139****5678');
    expect(maskPhones('固话0931-8123456')).toBe('固话0931-***3456');
  });

  it('masks ID numbers to the first six and last four characters', () => {
    expect(maskId('身份证号62010219900101123X')).toBe('身份证号620102********123X');
    expect(maskId('620102199001011234')).toBe('620102********1234');
    expect(maskId('旧证620102900101123')).toBe('旧证620102*****1123');
  });

  it('does not take an ID number for a phone number', () => {
    expect(maskText('身份证620102199001011234，手机13812341234')).toBe('身份证620102********1234，手机138****1234');
  });

  it('leaves ordinary text and short numbers alone', () => {
    const s = '群众拨打12345热线反映拖欠工程款问题，涉及3人，金额20000元';
    expect(maskText(s)).toBe(s);
  });

  it('masks ticker summaries and alert titles, and drops the acting account', () => {
    const item = { id: 'e1', summary: '村民张三丰持刀扬言报复，电话13812341234' } as TickerItem;
    expect(maskTickerItem(item).summary).toBe('村民张**持刀扬言报复，电话138****1234');
    const alert = {
      id: 'a1',
      title: '命案风险：村民李四与王五多次发生纠纷',
      actor: 'zhangsan',
      signedBy: 'lisi',
      departments: [{ name: '司法所', dispatchedBy: 'zhangsan', checkedInBy: 'wangwu' }],
    } as unknown as AlertView;
    const masked = maskAlert(alert);
    expect(masked).toEqual({
      id: 'a1',
      title: '命案风险：村民李*与王*多次发生纠纷',
      departments: [{ name: '司法所' }],
    });
    expect(alert.actor).toBe('zhangsan');
  });
});

describe('masking text written to slip past it', () => {
  it('masks mobile numbers in full-width digits, keeping the full-width punctuation around them', () => {
    expect(maskText('报警人：张三丰（１３８１２３４５６７８），')).toBe('报警人：张**（１３８****５６７８），');
    expect(maskText('电话１３８－１２３４－５６７８')).toBe('电话１３８****５６７８');
  });

  it('masks mobile numbers with zero-width characters inside', () => {
    expect(maskText('电话138\u200B1234\u200B5678')).toBe('电话138****5678');
    expect(maskText('电话1\u200C3\u200D8\u20601234\uFEFF5678')).toBe('电话1\u200C3\u200D8****5678');
  });

  it('masks mobile numbers split by dots, spaces or other separators', () => {
    expect(maskText('电话138.1234.5678')).toBe('电话138****5678');
    expect(maskText('电话1 3 8 1 2 3 4 5 6 7 8')).toBe('电话1 3 8****5 6 7 8');
    expect(maskText('电话１３８．１２３４．５６７８')).toBe('电话１３８****５６７８');
  });

  it('masks names with a zero-width character inside', () => {
    expect(maskText('村民张\u200B三丰与邻居发生纠纷')).toBe('村民张**与邻居发生纠纷');
    expect(maskText('报警人：王\u200D小明称其电动车被盗')).toBe('报警人：王**称其电动车被盗');
  });

  it('masks ID numbers in full-width characters and with separators', () => {
    expect(maskText('身份证６２０１０２１９９００１０１１２３Ｘ')).toBe('身份证６２０１０２********１２３Ｘ');
    expect(maskText('身份证620102 19900101 1234')).toBe('身份证620102********1234');
    expect(maskText('身份证620102-1990-0101-1234')).toBe('身份证620102********1234');
    expect(maskText('身份证620102\u200B19900101\u200B1234')).toBe('身份证620102********1234');
  });

  it('still leaves dates, amounts and short numbers alone', () => {
    const s = '２０２４年，金额２００００元，2024.10.12 10:30，涉及3人';
    expect(maskText(s)).toBe(s);
  });
});
