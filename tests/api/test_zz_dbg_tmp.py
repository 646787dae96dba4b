from tests.api.test_bad_input import world, document  # noqa
async def test_dbg(world):
    for name, v, u in [
        ("createRole", {"input": {"name": "x\ud800"}}, "kantoor.admin"),
        ("createRole", {"input": {"name": "a\x00b"}}, "kantoor.admin"),
        ("setComponentLabel", {"input": {"componentId": world.pools.own["Component"][0], "label": "a\x00b"}}, "werkgever.hr"),
        ("setComponentLabel", {"input": {"componentId": world.pools.own["Component"][0], "label": "\ud800"}}, "werkgever.hr"),
        ("exportProcessOverview", {"input": {"tab": "OPEN", "filter": {"employeeSearch": "a\x00"}}}, "kantoor.admin"),
    ]:
        r = await world.post(document(name), v, u)
        print(name, r.status_code, r.text[:300])
