from desk.services import audit, auth


def test_store_fixture_signs_in_on_both_backends(store):
    _, admin = store
    staff = auth.sign_in("900", "482913")
    assert staff.id == admin.id
    assert audit.verify_chain().ok
