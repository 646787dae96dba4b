import json, os, re, collections
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
import tests.api.test_bad_input as T
from tests.api.test_bad_input import world  # noqa

FOUND = {}
N = int(os.environ.get("HUNT_N", "100"))
if os.environ.get("HUNT_NO_SURROGATES"):
    T.adversarial_text = T.adversarial_text.filter(lambda s: not re.search("[\ud800-\udfff]", s))

def sig(problem):
    m = re.search(r"raised at (\S+)", problem)
    first = problem.splitlines()[0]
    first = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", first)[:120]
    return (m.group(1) if m else "") + " | " + first

@pytest.mark.parametrize("name", sorted(T.MUTATION_FIELDS))
@settings(max_examples=N, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_hunt(world, name, data):
    f = T.MUTATION_FIELDS[name]
    user = data.draw(T.weighted((12, st.sampled_from(T.actors_of(name))), (1, T.one(None, "y.admin", "wn005", "werkgever.directie"))))
    variables = data.draw(T.arguments_of(f, world.pools))
    if world.fingerprint is None:
        world.fingerprint = await world.snapshot()
    before = world.fingerprint
    world.crash_log.crashes.clear()
    response = await world.post(T.document(name), variables, user)
    problems, refused = T.problems_in(name, response)
    logged = [f"server logged: {c}" for c in world.crash_log.crashes]
    after = await world.snapshot()
    if refused and after != before:
        changed = [b[0] for b, a in zip(before, after, strict=True) if a != b]
        problems.append(f"refused, yet the database changed: {changed}; {response.text[:300]}")
    if not refused:
        problems += await T.after_success(world, name, (response.json().get("data") or {}).get(name) or {})
        after = await world.snapshot()
    world.fingerprint = after
    if problems or logged:
        key = (name, sig((logged or problems)[0]))
        text = json.dumps(variables)
        if key not in FOUND or len(text) < len(FOUND[key][1]):
            FOUND[key] = (user, text, problems + logged)

def test_zz_report():
    out = []
    for (name, s), (user, text, problems) in sorted(FOUND.items()):
        out.append(f"=== {name} :: {s}\nuser={user} variables={text[:400]}\n" + "\n".join(p[:1500] for p in problems))
    report = "\n".join(out)
    open(os.environ.get("HUNT_OUT", "/tmp/hunt/report.txt"), "w").write(report)
    print(f"{len(FOUND)} distinct problems")
