// While the lab runs, fetch() in this process sends execute-api URLs to the API Gateway stand-in: the
// Snowflake stand-in calls an external function's URL exactly as the template wrote it, and that URL is an
// AWS one. Other URLs pass through unchanged.

const EXECUTE_API = /^([^.]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/;

/** Routes execute-api URLs to endpoint; returns the function that restores fetch(). */
export function installRoute(endpoint: string): () => void {
  const original = globalThis.fetch;
  const routed: typeof fetch = (input, init) => {
    const url = typeof input === 'string' || input instanceof URL ? new URL(input) : undefined;
    const apiId = url?.protocol === 'https:' ? EXECUTE_API.exec(url.hostname)?.[1] : undefined;
    if (url === undefined || apiId === undefined) return original(input, init);
    return original(new URL(`/${apiId}${url.pathname}${url.search}`, endpoint), init);
  };
  globalThis.fetch = routed;
  return () => {
    if (globalThis.fetch === routed) globalThis.fetch = original;
  };
}
