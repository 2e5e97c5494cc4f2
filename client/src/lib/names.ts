/** The 55 minority nationalities as they appear in the names of autonomous areas (…族自治州). */
const NATIONALITIES =
  '蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|' +
  '柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|' +
  '塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺';
/** 临夏回族自治州 → 临夏州, 积石山保安族东乡族撒拉族自治县 → 积石山县 (the forms used in speech). */
const AUTONOMOUS = new RegExp(`^(.+?)(?:(?:${NATIONALITIES})族)+自治(州|县|旗)$`, 'u');

/** 平山湖蒙古族乡 → 平山湖乡: ethnic townships as they are spoken of. */
const ETHNIC_TOWNSHIP = new RegExp(`^(.+?)(?:(?:${NATIONALITIES})族)+(乡|镇)$`, 'u');

/**
 * Village and community names carry long official suffixes (…村民委员会, …社区居委会), autonomous
 * areas their nationalities (…回族自治州); from five metres the short form reads better. Display
 * only: codes stay the identity, and the title band keeps the full official name.
 */
export function shortName(name: string): string {
  return (
    name
      // 石沟村村民委员会: the 村 of the name and the 村 of 村民委员会 are one 村 on screen.
      .replace(/村?村民委员会$/, '村')
      .replace(/社区居民委员会$/, '社区')
      .replace(/社区居委会$/, '社区')
      .replace(/居民委员会$/, '居委会')
      .replace(/村?村委会$/, '村')
      .replace(AUTONOMOUS, '$1$2')
      .replace(ETHNIC_TOWNSHIP, '$1$2')
      .replace(/经济技术开发区$/, '经开区')
  );
}
