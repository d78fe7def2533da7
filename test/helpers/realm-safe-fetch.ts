/**
 * Jest runs tests in a vm realm, while Node's fetch parses JSON in the main realm: superjson then
 * sees objects whose prototype is another realm's Object and leaves their dates as strings.
 * Parsing the body here, in the test realm, gives what a browser or plain Node process sees.
 */
const nodeFetch = globalThis.fetch;
export const realmSafeFetch: typeof fetch = async (input, init) => {
  const response = await nodeFetch(input, init);
  // The body stays a stream (server-sent events read it); only json() parses in this realm.
  return Object.assign(response, { json: async () => JSON.parse(await response.text()) as unknown });
};
