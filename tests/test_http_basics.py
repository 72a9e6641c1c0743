"""The served app answers over HTTP and never crashes on what a client sends."""


async def test_healthz_says_the_process_answers_and_readyz_checks_the_database(bot_client):
    resp = await bot_client.get("/healthz")
    assert resp.status == 200
    assert await resp.json() == {"status": "ok"}
    ready = await bot_client.get("/readyz")
    assert ready.status == 200
    assert await ready.json() == {"status": "ready", "database": "ok", "schema": "ok", "sweep": "off", "sender": "off"}


async def test_malformed_json_is_a_400(bot_client):
    resp = await bot_client.post("/api/messages", data=b"{not json", headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert "JSON" in (await resp.json())["error"]


async def test_body_without_activity_type_is_a_400(bot_client):
    resp = await bot_client.post("/api/messages", json={"hello": "world"})
    assert resp.status == 400


async def test_a_json_array_is_a_400(bot_client):
    resp = await bot_client.post("/api/messages", json=[1, 2, 3])
    assert resp.status == 400


async def test_wrong_content_type_is_a_415(bot_client):
    resp = await bot_client.post("/api/messages", data=b"hello", headers={"Content-Type": "text/plain"})
    assert resp.status == 415
