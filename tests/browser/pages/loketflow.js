// A loketflow client for a browser frontend on its own origin: the README's example ("For
// frontend developers"), run in headless Chromium by tests/browser/test_frontend.py.
// Needs the npm package graphql-ws (here its UMD build, the global `graphqlWs`).

// apiUrl: "https://loketflow.example.nl/graphql"; getToken: async () => a valid access token
// (your sign-in library's, refreshed when needed). Your page's origin must be listed in the
// service's LOKETFLOW_CORS_ORIGINS, for HTTP and WebSocket alike.
function loketflow(apiUrl, getToken, { onConnection = () => {} } = {}) {
  // Queries and mutations over HTTP.
  async function request(query, variables = {}) {
    const response = await fetch(apiUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
        Authorization: `Bearer ${await getToken()}`,
      },
      body: JSON.stringify({ query, variables }),
    });
    return response.json(); // {data, errors}; errors[].extensions.code says what went wrong
  }

  // Subscriptions over one WebSocket. connectionParams is a function, so every (re)connect
  // signs in with a fresh token. graphql-ws would resubscribe after a reconnect with the
  // variables of the first subscribe, so its own retries are off: follow() resubscribes with
  // the last eventId it saw instead.
  const client = graphqlWs.createClient({
    url: apiUrl.replace(/^http/, "ws"),
    connectionParams: async () => ({ Authorization: `Bearer ${await getToken()}` }),
    retryAttempts: 0,
    on: {
      connected: () => onConnection({ connected: true }),
      closed: (event) => onConnection({ connected: false, code: event.code, reason: event.reason }),
    },
  });

  // Close codes after which trying again cannot help (README: "WebSocket close codes").
  function isFinal(problem) {
    if (Array.isArray(problem)) return true; // the server refused the operation itself
    if (problem.code === 4403) return problem.reason !== "UNAUTHENTICATED: token expired";
    return [1008, 4400, 4401, 4406, 4409].includes(problem.code);
  }

  // Follow a subscription (taskCentreChanged, processOverviewChanged, ...) that takes `after`
  // and whose events carry `eventId` and `kind`: every event exactly once, across reconnects.
  function follow(query, variables, { onEvent, onResync, onEnd, onSubscribe = () => {} }) {
    let after = variables.after ?? null;
    let attempt = 0;
    let stopped = false;
    let unsubscribe = () => {};
    const start = () => {
      onSubscribe(after);
      unsubscribe = client.subscribe(
        { query, variables: { ...variables, after } },
        {
          next: ({ data, errors }) => {
            if (errors) return onEnd(errors); // e.g. FORBIDDEN: a right was revoked
            const event = Object.values(data)[0];
            attempt = 0;
            after = event.eventId; // resume from here
            if (event.kind === "RESYNC") onResync(event); // reload the view, then go on
            else onEvent(event);
          },
          error: (problem) => {
            if (stopped) return;
            if (isFinal(problem)) return onEnd(problem);
            // The connection dropped (network, server restart, token expired): again, with
            // `after`, after a growing pause (0.5 s, 1 s, 2 s ... 30 s, with jitter).
            const pause = Math.min(30000, 500 * 2 ** attempt++) * (0.5 + Math.random());
            setTimeout(() => stopped || start(), pause);
          },
          complete: () => {},
        },
      );
    };
    start();
    return () => {
      stopped = true;
      unsubscribe();
    };
  }

  return { request, follow, dispose: () => client.dispose() };
}
