"""Passwords are hashed with the configured method: scrypt by default, one cheap round in tests."""
from trainings.auth import services
from trainings.config import DefaultConfig


def test_production_default_is_scrypt():
    assert DefaultConfig.PASSWORD_HASH_METHOD == "scrypt"


def test_set_password_uses_the_configured_method(app, make):
    user = make.user(password=None)
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    services.set_password(user, "a-long-enough-password")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("a-long-enough-password")
    assert not user.check_password("another-long-password")

    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1"
    services.set_password(user, "a-long-enough-password")
    assert user.password_hash.startswith("pbkdf2:sha256:1$")
    assert user.check_password("a-long-enough-password")


def test_factory_users_log_in_with_the_cheap_test_hash(app, make, login):
    user = make.user()
    assert user.password_hash.startswith("pbkdf2:sha256:1$")
    login(user)  # the real login form checks the password
