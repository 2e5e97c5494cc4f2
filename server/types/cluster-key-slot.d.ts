// cluster-key-slot ships no types: the two functions we use, as its README documents them.
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0–16383) of a key, honouring its {hash tag}. */
  function calculateSlot(key: string | Buffer): number;
  namespace calculateSlot {
    /** The common slot of several keys, or -1 when they do not share one. */
    function generateMulti(keys: (string | Buffer)[]): number;
  }
  export default calculateSlot;
}
