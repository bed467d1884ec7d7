/**
 * A fetch that refuses anything but loopback addresses, so a connector test can never reach the
 * internet, and records the URLs it was asked for.
 */
export function loopbackFetch(log: string[] = []): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!['localhost', '127.0.0.1', '[::1]', '::1'].includes(url.hostname)) {
      throw new Error(`test fetch refused a non-loopback URL: ${url.href}`);
    }
    log.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    return fetch(input, init);
  }) as typeof fetch;
}
