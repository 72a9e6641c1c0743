"""Card signing never falls back to a key anyone can read: with authentication on, start-up refuses
without a real signing key (a managed identity has no app password to derive one from); and a
press whose signature is not one the bot writes is refused 400, never a crash of the check."""
from __future__ import annotations

import json

import pytest

from bot.card_signing import DEVELOPMENT_KEY, CardSigner, malformed
from bot.services import Services
from bot.settings import Settings, SettingsError
from tests.support import activities as act

TENANT = "3a0b3c51-3e1d-44f1-ba8e-9f82b6880005"
MSI = {"MicrosoftAppId": "00000000-0000-0000-0000-000000000001", "MicrosoftAppType": "UserAssignedMSI",
       "MicrosoftAppTenantId": TENANT, "QA_ALLOWED_TENANTS": TENANT}
KEY = "0123456789abcdef0123456789abcdef"


def test_a_managed_identity_without_a_signing_key_does_not_start():
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(MSI)
    message = str(raised.value)
    assert "QA_CARD_SIGNING_KEY" in message and "\n" not in message


@pytest.mark.parametrize("env", [
    {**MSI, "QA_CARD_SIGNING_KEY": "short"},  # not a real key
    {**MSI, "MicrosoftAppType": "SingleTenant", "MicrosoftAppPassword": "pw", "QA_CARD_SIGNING_KEY": "x" * 15},
])
def test_a_signing_key_too_short_to_be_a_secret_is_refused_with_authentication_on(env):
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)
    assert "QA_CARD_SIGNING_KEY" in str(raised.value)


def test_with_a_signing_key_or_an_app_password_the_development_key_is_never_used(tmp_path):
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    msi = Settings.from_env({**MSI, **database, "QA_CARD_SIGNING_KEY": KEY})
    with_password = Settings.from_env({**MSI, **database, "MicrosoftAppType": "MultiTenant",
                                       "MicrosoftAppPassword": "s3cret"})
    development = CardSigner(DEVELOPMENT_KEY).sign_data("audit.start", {"allocation_id": 1})
    for settings in (msi, with_password):
        signer = Services.create(settings).signer
        assert not signer.verify("audit.start", development)  # a button forged with the public key
        assert signer.verify("audit.start", signer.sign_data("audit.start", {"allocation_id": 1}))


def test_settings_made_in_code_with_an_app_id_and_no_secret_get_no_signer(tmp_path):
    """Settings built without from_env (a test, an embedding): the signer refuses all the same."""
    settings = Settings(app_id="00000000-0000-0000-0000-000000000001", app_type="UserAssignedMSI",
                        database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    with pytest.raises(ValueError, match="QA_CARD_SIGNING_KEY"):
        _ = Services.create(settings).signer


def test_local_development_without_authentication_keeps_the_development_key():
    signer = CardSigner.from_secrets()
    assert signer.verify("audit.start", CardSigner(DEVELOPMENT_KEY).sign_data("audit.start", {"allocation_id": 1}))


@pytest.mark.parametrize("signature", ["é" * 32, "Ω", "0" * 31 + "é", "0" * 33, "A" * 32, 12, ["0" * 32], ""])
def test_a_signature_the_bot_never_writes_is_malformed_and_never_verifies(signature):
    signer = CardSigner(KEY.encode())
    data = {**signer.sign_data("audit.start", {"allocation_id": 1}), "_sig": signature}
    assert malformed(data)
    assert signer.verify("audit.start", data) is False  # no TypeError from hmac.compare_digest


def test_a_well_formed_wrong_signature_is_not_malformed():
    signer = CardSigner(KEY.encode())
    data = {**signer.sign_data("audit.start", {"allocation_id": 1}), "_sig": "0" * 32}
    assert not malformed(data) and not signer.verify("audit.start", data)
    assert not malformed({"allocation_id": 1})  # unsigned: answered as a card the bot cannot check


@pytest.mark.parametrize("signature", ["é" * 32, "ñ"])
async def test_a_press_with_a_non_ascii_signature_is_a_400(bot_client, fake_connector, db, signature):
    data = {**act.TEST_SIGNER.sign_data("audit.start", {"allocation_id": 1}), "_sig": signature}
    activity = act.card_action("ann", "audit.start", data, service_url=fake_connector.url, signed=False)
    resp = await bot_client.post("/api/messages", json=activity)
    body = await resp.json()
    assert resp.status == 200 and body["statusCode"] == 400, body  # an invoke's answer is in its body
    assert body["value"]["code"] == "BadRequest" and "couldn't check" in json.dumps(body["value"])
    assert fake_connector.calls == []
