from leadership.certificates.codes import ALPHABET, CODE_BITS, LENGTH, format_code, new_code, normalise_code


def test_codes_use_only_unambiguous_characters_and_carry_enough_entropy():
    assert not set("01ILOU") & set(ALPHABET)
    assert CODE_BITS >= 60
    codes = {new_code() for _ in range(5000)}
    assert len(codes) == 5000
    for code in list(codes)[:200]:
        assert len(code) == LENGTH and set(code) <= set(ALPHABET)


def test_codes_are_shown_in_groups_and_read_back_however_typed():
    code = "K7QM2XR9TB4HWNP"
    assert format_code(code) == "K7QM2-XR9TB-4HWNP"
    assert normalise_code("k7qm2-xr9tb-4hwnp") == code
    assert normalise_code(" K7QM2 XR9TB 4HWNP ") == code
    assert normalise_code("K7QM2-XR9TB-4HWN") is None  # too short
    assert normalise_code("K7QM2-XR9TB-4HWN0") is None  # 0 is never used
    assert normalise_code("") is None
