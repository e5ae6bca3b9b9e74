"""One account per name, whatever its case or width; no look-alikes from mixed scripts."""

import pytest
from django.contrib.auth import get_user_model

from pokerrt.accounts.actions import do_create_user
from pokerrt.accounts.errors import UsernameTaken
from pokerrt.accounts.models import CanonicalUsername, LedgerEntry
from pokerrt.accounts.usernames import canonical, mixes_scripts

pytestmark = pytest.mark.django_db

REGISTER = "/api/auth/register/"
SIGNUP = "/accounts/signup/"
PASSWORD = "river-of-chips-9"


def register(api_client, username):
    return api_client.post(REGISTER, {"username": username, "password": PASSWORD}, format="json")


def sign_up(client, username):
    return client.post(SIGNUP, {"username": username, "password1": PASSWORD, "password2": PASSWORD})


@pytest.mark.parametrize(
    "name",
    [
        "ａｌｉｃｅ",  # full-width
        "ALICE",
        "Alice",
        "ａＬｉｃｅ",
        "alice",
    ],
)
def test_a_name_equal_to_a_taken_one_ignoring_case_and_width_is_a_400(api_client, user, name):
    entries_before = LedgerEntry.objects.count()
    # when
    response = register(api_client, name)
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION"
    assert response.json()["details"] == {"username": ["This username is taken."]}
    assert get_user_model().objects.count() == 1
    assert LedgerEntry.objects.count() == entries_before


def test_a_full_width_name_is_stored_and_answered_in_its_normal_form(api_client):
    response = register(api_client, "ｚｏｅ")
    assert response.status_code == 201
    assert response.json()["username"] == "zoe"
    assert get_user_model().objects.get(pk=response.json()["id"]).username == "zoe"


def test_case_folding_is_more_than_lower_case(api_client):
    assert register(api_client, "Straße").status_code == 201
    assert register(api_client, "STRASSE").json()["details"] == {"username": ["This username is taken."]}


@pytest.mark.parametrize(
    "name",
    [
        "\u0430lice",  # Cyrillic а, then Latin
        "p\u0430yp\u0430l",
        "\u03a9mega",  # Greek Ω, then Latin
        "\u0441\u0430\u0448a",  # Cyrillic with one Latin a at the end
    ],
)
def test_a_name_mixing_scripts_is_refused(api_client, client, name):
    api = register(api_client, name)
    assert api.status_code == 400
    assert "one script" in api.json()["details"]["username"][0]
    page = sign_up(client, name)
    assert page.status_code == 200
    assert b"one script" in page.content
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "zoe_99.x-y",
        "\u0438\u0432\u0430\u043d",  # иван, all Cyrillic
        "\u0395\u03bb\u03ad\u03bd\u03b7",  # Ελένη, all Greek
        "\u3055\u304f\u3089",  # さくら
        "\u3089\u30fc\u3081\u3093",  # らーめん: Hiragana with the prolonged sound mark
        "\u5c71\u7530\u305f\u308d\u3046",  # 山田たろう: Han and Hiragana
        "\uae40\ucca0\uc218",  # 김철수
        "sakura\u685c",  # Latin with Han, as Japanese writing does
        "Jos\u00e9",
        "Jose\u0301",  # the same, decomposed: NFKC composes it
    ],
)
def test_names_in_one_script_or_a_usual_combination_are_welcome(api_client, name):
    response = register(api_client, name)
    assert response.status_code == 201, response.json()


def test_a_name_that_grows_past_the_limit_when_normalised_is_a_400(api_client):
    name = "\ufb03" * 60  # ﬃ, 60 characters typed, 180 once normalised to "ffi"
    response = register(api_client, name)
    assert response.status_code == 400
    assert "150" in response.json()["details"]["username"][0]


@pytest.mark.parametrize("name", ["ａｌｉｃｅ", "ALICE", "\u0430lice"])
def test_the_sign_up_page_applies_the_same_rules(client, user, name):
    response = sign_up(client, name)
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert get_user_model().objects.count() == 1


def test_the_database_refuses_a_taken_name_even_past_the_checks(user):
    with pytest.raises(UsernameTaken):
        do_create_user("ＡＬＩＣＥ", PASSWORD)
    with pytest.raises(UsernameTaken):
        do_create_user("Alice", PASSWORD)
    assert get_user_model().objects.count() == 1


def test_every_user_has_its_canonical_name_and_a_rename_moves_it(make_user):
    user = make_user("Bob")
    assert CanonicalUsername.objects.get(user=user).canonical == "bob"
    user.username = "Robert"
    user.save()
    assert CanonicalUsername.objects.get(user=user).canonical == "robert"
    assert do_create_user("bob", PASSWORD).username == "bob"


def test_canonical_form_is_stable():
    for name in ("ａｌｉｃｅ", "Straße", "ΌΣΟΣ", "ǅemal", "İstanbul"):
        assert canonical(canonical(name)) == canonical(name)


def test_digits_and_punctuation_belong_to_every_script():
    assert not mixes_scripts("\u0438\u0432\u0430\u043d_1990.-")
    assert mixes_scripts("\u0430lice_1990")
