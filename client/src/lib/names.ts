/**
 * Village and community names carry long official suffixes (…村民委员会, …社区居委会); from five
 * metres the short form reads better. Display only: codes stay the identity.
 */
export function shortName(name: string): string {
  return name
    .replace(/村民委员会$/, '村')
    .replace(/社区居民委员会$/, '社区')
    .replace(/社区居委会$/, '社区')
    .replace(/居民委员会$/, '居委会')
    .replace(/村委会$/, '村');
}
