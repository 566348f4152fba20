/**
 * A function's answers remembered by key, at most `entries` of them: the judge's lookups per beacon
 * (a user agent's device, an address's network, an Origin's verdict) repeat across a visitor's
 * beacons. When full it forgets them all at once: cheaper on the HTTP thread than tracking which
 * answer is least recent, and the next beacons fill it again with what is current.
 */
export function remembered<Value>(entries: number, compute: (key: string) => Value): (key: string) => Value {
  const answers = new Map<string, Value>();
  return (key) => {
    let value = answers.get(key);
    if (value === undefined) {
      value = compute(key);
      if (answers.size >= entries) answers.clear();
      answers.set(key, value);
    }
    return value;
  };
}
