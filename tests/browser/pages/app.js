// The test frontend's screen: who is signed in, the connection, and the process overview's
// events as they come (loketflow.js does the work). ?api=<service /graphql>&employer=<id>
(async function () {
  const OVERVIEW = `subscription ($employerId: ID!, $after: Int) {
    processOverviewChanged(employerId: $employerId, after: $after) {
      eventId kind instance { id employee { name } }
    }
  }`;
  const params = new URLSearchParams(window.location.search);
  const show = (id, text) => {
    document.getElementById(id).textContent = text;
  };
  const append = (id, text, data = {}) => {
    const item = document.createElement("li");
    item.textContent = text;
    Object.assign(item.dataset, data);
    document.getElementById(id).append(item);
  };
  const describe = (problem) =>
    Array.isArray(problem)
      ? problem.map((e) => `${e.extensions && e.extensions.code}: ${e.message}`).join("; ")
      : `${problem.code} ${problem.reason}`;

  // The test hands out tokens (window.freshToken); a real page asks its sign-in library.
  const api = loketflow(params.get("api"), () => window.freshToken(), {
    onConnection: (state) => {
      const text = state.connected ? "open" : `closed ${state.code} ${state.reason}`;
      show("connection", text);
      append("connections", text); // the history, for the tests
    },
  });
  try {
    const answer = await api.request("{ viewer { username } }");
    show("viewer", answer.data ? answer.data.viewer.username : describe(answer.errors));
  } catch (error) {
    show("viewer", `refused: ${error.message}`); // no CORS for this origin: "Failed to fetch"
  }
  api.follow(OVERVIEW, { employerId: params.get("employer") }, {
    onSubscribe: (after) => append("subscribes", String(after)),
    onEvent: (event) =>
      append("events", `${event.kind} ${event.instance.employee.name}`, {
        eventId: event.eventId,
        kind: event.kind,
        instance: event.instance.id,
      }),
    onResync: (event) => append("events", "RESYNC", { eventId: event.eventId, kind: "RESYNC" }),
    onEnd: (problem) => show("ended", describe(problem)),
  });
})();
