// GraphiQL for loketflow (app/web/graphiql.py): queries and mutations over HTTP, subscriptions
// over WebSocket (graphql-transport-ws), both signed in with the Headers tab, e.g.
// {"Authorization": "Bearer <token from `loketflow token werkgever.hr`>"}.
(function () {
  "use strict";

  const page = new URL(window.location.href);
  page.search = "";
  page.hash = "";
  const httpUrl = page.toString();
  const wsUrl = httpUrl.replace(/^http/, "ws");

  const overHttp = GraphiQL.createFetcher({ url: httpUrl });

  const WELCOME = `# loketflow GraphiQL
#
# Sign in: in the Headers tab below, paste
#   {"Authorization": "Bearer <token>"}
# (a token: .venv/bin/loketflow token werkgever.hr).
# Subscriptions run over WebSocket, with the same header.

{
  viewer {
    username
    userType
    employers { id name }
  }
}
`;

  // From the text sent, not GraphiQL's `documentAST`: that one lags behind fresh edits.
  function operationType(query, operationName) {
    let document;
    try {
      document = GraphiQL.GraphQL.parse(query);
    } catch (syntaxError) {
      return undefined; // the service answers the syntax error
    }
    const operations = document.definitions.filter((d) => d.kind === "OperationDefinition");
    const chosen = operationName
      ? operations.find((d) => d.name && d.name.value === operationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
    return chosen && chosen.operation;
  }

  // What GraphiQL shows when the connection ends: the close code and the server's reason
  // (e.g. 4403 "UNAUTHENTICATED: token expired"), rather than an empty object.
  function asResult(problem) {
    if (Array.isArray(problem)) return { errors: problem }; // the operation's `error` message
    if (problem && typeof problem.code === "number") {
      const reason = problem.reason || "no reason given";
      return {
        errors: [
          {
            message: `WebSocket closed (${problem.code}): ${reason}`,
            extensions: { code: reason.split(":")[0], closeCode: problem.code },
          },
        ],
      };
    }
    return { errors: [{ message: String((problem && problem.message) || problem) }] };
  }

  // One connection per subscription, signed in with the Headers tab. A refused sign-in (4403)
  // or origin (1008) is final: shown at once, never retried.
  async function* overWebSocket(params, headers) {
    const client = graphqlWs.createClient({
      url: wsUrl,
      connectionParams: headers || {},
      retryAttempts: 3,
      shouldRetry: (problem) => !(problem && problem.code === 4403),
    });
    try {
      for await (const result of client.iterate(params)) yield result;
    } catch (problem) {
      yield asResult(problem);
    } finally {
      client.dispose();
    }
  }

  function fetcher(params, options) {
    const type = operationType(params.query, params.operationName);
    if (type === "subscription") return overWebSocket(params, options && options.headers);
    return overHttp(params, options);
  }

  const explorer = GraphiQLPluginExplorer.explorerPlugin();
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: WELCOME,
      plugins: [explorer],
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
    }),
  );
})();
