"""The dispatch assistant: ranking, NONE, explanations, jurisdiction, persistence, evaluation.

One model is trained per module on part of the bundled development set (six fields of the demo
catalogue plus every NONE text) to keep the suite fast; the accuracy figures on the whole set
come from benchmarks/dispatch_eval.py.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jieba
import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

import xiezhi
from xiezhi.rulebook.dispatch import (
    BUNDLED_DEV_SET,
    BUNDLED_HELDOUT_SETS,
    BUNDLED_STYLE_SET,
    JSON_KEYS,
    NONE_CODE,
    NONE_REASON,
    DispatchIndex,
    DispatchModel,
    DispatchResult,
    LabelledText,
    Matter,
    ModelFormatError,
    Suggestion,
    eval_json,
    evaluate,
    load_matters,
    load_rows,
    suggest,
    train,
)
from xiezhi.rulebook.dispatch.analysis import analyse
from xiezhi.rulebook.dispatch.lexicon import bundled_lexicon
from xiezhi.rulebook.dispatch.scoring import char_ngrams, fast_transform
from xiezhi.rulebook.dispatch.text import caller_only, clauses, normalise
from xiezhi.rulebook.jurisdiction import (
    CatalogueSnapshot,
    CatalogueVersion,
    DevolutionEntry,
    MatterInfo,
    Mode,
)

CATALOGUE_CSV = Path(xiezhi.__file__).resolve().parent / "catalogue" / "data" / "matters.csv"
FIELDS = {"市容环境卫生", "生态环境（大气）", "生态环境（噪声）", "消防", "文化市场", "燃气"}


@pytest.fixture(scope="module")
def matters() -> list[Matter]:
    if not CATALOGUE_CSV.exists():
        pytest.skip(f"catalogue fixture missing: {CATALOGUE_CSV}")
    return load_matters(CATALOGUE_CSV)


@pytest.fixture(scope="module")
def subset(matters: list[Matter]) -> tuple[list[LabelledText], list[Matter]]:
    kept = [m for m in matters if m.field in FIELDS]
    codes = {m.code for m in kept}
    rows = [r for r in load_rows(BUNDLED_DEV_SET) if r.matter_code in codes or r.is_none]
    return rows, kept


@pytest.fixture(scope="module")
def index(subset: tuple[list[LabelledText], list[Matter]]) -> DispatchIndex:
    rows, kept = subset
    return DispatchIndex(train(rows, kept, folds=3, seed=0))


# Texts written for these tests, in words the catalogue does not use.
CLEAR = [
    ("楼下饭店的油烟机直接对着居民楼排，也没装净化器，天天呛得开不了窗", "DEMO-DQ-004"),
    ("小区对面广场上每晚有人开着大音箱跳广场舞，吵到十点多", "DEMO-ZS-005"),
    ("网吧里好多穿校服的初中生在打游戏，老板也不赶他们走", "DEMO-WH-003"),
    ("好几辆私家车长期停在小区消防通道上，车主都是业主，物业劝了也不挪", "DEMO-XF-011"),
    ("单元门和电线杆上贴满了疏通管道、办证的小广告，撕了又有", "DEMO-SR-003"),
    ("楼上住户装修时自己找人把燃气表挪到阳台，燃气管也改了走向", "DEMO-RQ-011"),
]


@pytest.mark.parametrize(("text", "code"), CLEAR)
def test_clear_complaints_rank_their_matter_first(index: DispatchIndex, text: str, code: str) -> None:
    result = index.rank(text, k=3)
    assert not result.none
    assert result.ranked_codes[0] == code
    assert 0.0 < result.suggestions[0].score <= 1.0
    assert result.suggestions[0].score >= result.suggestions[1].score


def test_why_names_words_of_the_complaint(index: DispatchIndex) -> None:
    text = CLEAR[0][0]
    top = index.rank(text, k=1).suggestions[0]
    assert top.why
    assert all(w.split("→")[0] in normalise(text) for w in top.why)


@pytest.mark.parametrize(
    "text",
    [
        "我家门口的路灯坏了好几天了，晚上黑乎乎的，请派人来修一下",
        "感谢社区网格员上门帮独居老人买菜送药，特此表扬",
        "想咨询一下办理居住证需要带哪些材料，在哪个窗口办",
    ],
)
def test_service_requests_are_none(index: DispatchIndex, text: str) -> None:
    result = index.rank(text)
    assert result.none
    assert result.reason == NONE_REASON
    assert result.ranked_codes[0] == NONE_CODE


def test_empty_text_is_refused_without_suggestions(index: DispatchIndex) -> None:
    result = index.rank("   ")
    assert result.none and not result.suggestions and result.reason


@pytest.mark.rule("R-CAT-02")
def test_suggestion_names_the_acting_unit_from_the_catalogue(
    index: DispatchIndex, subset: tuple[list[LabelledText], list[Matter]]
) -> None:
    _, kept = subset
    by_code = {m.code: m for m in kept}
    infos = {
        c: MatterInfo(c, by_code[c].name, "D-CGJ", "县城市管理局") for c in ("DEMO-DQ-004", "DEMO-DQ-006")
    }
    catalogue = CatalogueSnapshot(
        townships={"T1": "城关镇"},
        versions=[
            CatalogueVersion(
                number=1,
                effective_from=date(2025, 1, 1),
                matters=infos,
                devolutions=[
                    DevolutionEntry("DEMO-DQ-004", "T1", Mode.GRANTED),
                    DevolutionEntry("DEMO-DQ-006", "T1", Mode.RETAINED),
                ],
            )
        ],
    )
    result = suggest(CLEAR[0][0], "T1", date(2025, 6, 1), index=index, catalogue=catalogue, k=5)
    placed = {s.matter_code: s for s in result.suggestions}
    top = result.suggestions[0]
    assert top.matter_code == "DEMO-DQ-004"
    assert top.acting_unit is not None and top.acting_unit.code == "T1" and top.mode is Mode.GRANTED
    assert top.explanation and "赋权" in top.explanation
    if "DEMO-DQ-006" in placed:
        assert placed["DEMO-DQ-006"].acting_unit is not None
        assert placed["DEMO-DQ-006"].acting_unit.code == "D-CGJ"
    others = [s for s in result.suggestions if s.matter_code not in infos]
    assert others and all(s.jurisdiction_error and s.acting_unit is None for s in others)


def test_save_and_load_give_the_same_answers(index: DispatchIndex, tmp_path: Path) -> None:
    path = tmp_path / "dispatch.model"
    index.model.save(path)
    header = DispatchModel.read_header(path)
    assert header["training_size"] == index.model.metadata["training_size"]
    assert header["sklearn_version"] and header["trained_at"]
    loaded = DispatchIndex.load(path)
    for text, _ in CLEAR[:3]:
        a, b = index.rank(text), loaded.rank(text)
        assert a.ranked_codes == b.ranked_codes
        assert [s.score for s in a.suggestions] == [s.score for s in b.suggestions]
        assert a.suggestions[0].why == b.suggestions[0].why


def _rewrite_header(path: Path, **changes: object) -> None:
    head, _, body = path.read_bytes().partition(b"\n")
    header = json.loads(head)
    header.update(changes)
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)


def test_a_file_of_another_format_version_is_refused(index: DispatchIndex, tmp_path: Path) -> None:
    path = tmp_path / "old.model"
    index.model.save(path)
    _rewrite_header(path, format_version=999)
    with pytest.raises(ModelFormatError, match="格式版本为 999"):
        DispatchModel.load(path)


def test_a_file_from_another_sklearn_is_refused(index: DispatchIndex, tmp_path: Path) -> None:
    path = tmp_path / "other.model"
    index.model.save(path)
    _rewrite_header(path, sklearn_version="0.1")
    with pytest.raises(ModelFormatError, match="重新训练"):
        DispatchModel.load(path)


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.model"
    path.write_bytes(b"\x80\x04 not a model")
    with pytest.raises(ModelFormatError, match="不是派单模型文件"):
        DispatchModel.load(path)


def _answer(*codes: str, none: bool = False, field: str = "F1") -> DispatchResult:
    fields = {"X": "F1", "Y": "F2", "Z": "F1"}
    sugg = tuple(Suggestion(c, c, fields.get(c, field), 0.5) for c in codes)
    return DispatchResult(none=none, reason=NONE_REASON if none else "", suggestions=sugg)


def test_evaluation_metrics_on_a_handmade_case() -> None:
    rows = [
        LabelledText("a", "X", id="1", field="F1"),  # first: top-1, top-3, field
        LabelledText("b", "Y", id="2", field="F2"),  # second, behind Z of another field
        LabelledText("c", NONE_CODE, id="3"),  # rightly NONE
        LabelledText("d", "Z", id="4", field="F1"),  # wrongly NONE, Z next
    ]
    answers = {
        "a": _answer("X", "Y"),
        "b": _answer("Z", "Y", "X"),
        "c": _answer("X", none=True),
        "d": _answer("Z", none=True),
    }
    report = evaluate(rows, answers.__getitem__)
    assert (report.rows, report.matter_rows, report.none_rows) == (4, 3, 1)
    assert report.top1 == pytest.approx(1 / 3)
    assert report.top3 == pytest.approx(1.0)  # d: NONE, Z
    assert report.field_top1 == pytest.approx(1 / 3)  # b's top is F1; d answered NONE
    assert report.none_precision == pytest.approx(0.5)
    assert report.none_recall == pytest.approx(1.0)
    assert report.p95_ms >= report.p50_ms >= 0
    assert {m.id for m in report.misses} == {"2", "4"}
    out = eval_json(report)
    assert tuple(out) == JSON_KEYS
    assert out["top1"] == pytest.approx(0.3333, abs=1e-4)


def test_same_seed_gives_the_same_model(matters: list[Matter]) -> None:
    kept = [m for m in matters if m.field in {"殡葬", "文化市场"}]
    codes = {m.code for m in kept}
    rows = [r for r in load_rows(BUNDLED_DEV_SET) if r.matter_code in codes or r.is_none]
    a, b = train(rows, kept, folds=3, seed=7), train(rows, kept, folds=3, seed=7)
    assert a.params == b.params
    assert a.none_detector.threshold == b.none_detector.threshold
    docs = [a.analyse(t) for t in ("网吧通宵营业还让小学生进去", "村里有人把老人直接土葬了")]
    sa, sb = a.score(docs), b.score(docs)
    assert np.array_equal(sa.combined, sb.combined)
    assert np.array_equal(sa.none, sb.none)


def test_dispatches_of_matters_no_longer_in_the_catalogue_are_left_out(matters: list[Matter]) -> None:
    kept = [m for m in matters if m.field == "殡葬"]
    codes = {m.code for m in kept}
    rows = [r for r in load_rows(BUNDLED_DEV_SET) if r.matter_code in codes or r.is_none]
    retired = LabelledText("村里有人乱埋乱葬", "DEMO-BZ-999")
    model = train([*rows, retired], kept, folds=3, tune=False)
    assert model.metadata["skipped_rows"] == 1
    assert model.metadata["training_size"] == len(rows)


def test_fast_transform_matches_sklearn() -> None:
    docs = ["楼下烧烤店油烟太大，排风扇对着我家窗户", "路灯  坏了 ok", "网吧里有初中生上网上网"]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(docs[:2])
    ours = fast_transform(vec, [char_ngrams(d, 1, 3) for d in docs]).toarray()
    assert np.allclose(ours, vec.transform(docs).toarray())


def test_transcripts_keep_only_the_caller() -> None:
    text = normalise("坐席：您好，请讲。市民：我们楼下烧烤店油烟很大。坐席：您在哪个小区？市民：幸福小区。")
    assert caller_only(text) == normalise("我们楼下烧烤店油烟很大。。幸福小区。")
    assert caller_only("市民来电反映：路灯不亮。") == "市民来电反映：路灯不亮。"
    # Sentences split; a short tail is glued to the sentence before it.
    assert clauses(normalise("一是占道经营，桌子摆满了整条人行道；二是饭店油烟很大呛得人难受。另外很吵")) == [
        "一是占道经营,桌子摆满了整条人行道",
        "二是饭店油烟很大呛得人难受，另外很吵",
    ]


def test_every_statute_term_of_the_synonym_list_is_catalogue_wording(matters: list[Matter]) -> None:
    wording = [f"{m.name} {m.field} {m.legal_basis_violation} {m.legal_basis_penalty}" for m in matters]
    assert bundled_lexicon().unused_terms(wording) == []


def test_the_global_jieba_tokenizer_is_left_alone(index: DispatchIndex) -> None:
    index.rank("油烟")
    assert not jieba.dt.initialized


# Field top-1 on a fixed held-out fifth of the development set (stratified fold 0 of 5, seed 0),
# the model trained on the other four fifths with the default weights (no inner tuning, to stay
# fast). Measured 0.958 (115 of 120) with the field prior and stacker, 0.950 without them; the
# floor makes a regression of the field decision fail. The nested 5-fold figures are in the README.
FIXED_SPLIT_FIELD_FLOOR = 0.955


def test_field_accuracy_on_a_fixed_held_out_split_stays_above_the_floor(matters: list[Matter]) -> None:
    from xiezhi.rulebook.dispatch.training import make_folds

    rows = load_rows(BUNDLED_DEV_SET)
    index = {m.code: i for i, m in enumerate(matters)}
    labels = [index.get(r.matter_code, len(matters)) for r in rows]
    train_idx, test_idx = make_folds(labels, 5, 0)[0]
    model = train([rows[i] for i in train_idx], matters, tune=False, seed=0)
    report = evaluate([rows[i] for i in test_idx], DispatchIndex(model).rank, matters)
    assert report.field_top1 >= FIXED_SPLIT_FIELD_FLOOR
    assert report.top1 >= 0.85
    assert report.none_recall >= 0.8


def test_the_hotline_and_patrol_frames_and_greetings_are_stripped() -> None:
    from xiezhi.rulebook.dispatch.text import strip_frame

    def s(t: str) -> str:
        return strip_frame(normalise(t))

    assert s("市民来电反映：楼下饭店油烟很大，要求相关部门尽快处理。") == "楼下饭店油烟很大"
    assert s("巡查发现：路边有人摆摊。") == "路边有人摆摊。"
    assert s("喂，是12345吧？我跟你讲哦，路口有人占道") == "路口有人占道"
    assert s("【群聊转发】隔壁村有人烧垃圾") == "隔壁村有人烧垃圾"
    # A consultation is not a frame, and a text that is nothing but a frame is kept whole.
    assert s("市民来电咨询：居住证怎么办理") == normalise("市民来电咨询：居住证怎么办理")
    assert s("喂，你好") == normalise("喂，你好")


def test_every_catalogue_field_has_cues_and_every_section_maps_to_a_field(matters: list[Matter]) -> None:
    from xiezhi.rulebook.dispatch.fields import FieldCues, bundled_field_cues, field_knowledge

    cues = bundled_field_cues()
    fields = sorted({m.field for m in matters})
    assert [f for f in fields if not cues.cues.get(f)] == []
    sections = {rule.section for rule in bundled_lexicon().rules}
    assert set(cues.sections) <= sections
    assert set(cues.sections.values()) <= set(fields)
    knowledge = field_knowledge(fields, bundled_lexicon(), cues)
    assert {f for _, f in knowledge} == set(fields)
    with pytest.raises(ValueError, match="fields line 1"):
        FieldCues.parse("油烟 = 排风扇")  # a line before any [sections]/[fields] heading


def test_a_service_cue_inside_a_phrase_the_synonym_list_reads_does_not_count() -> None:
    """The cue "丢了" is lost property in 钱包丢了, but in 井盖丢了 the synonym list reads 井盖丢
    (a missing manhole cover): those characters are the violation, not a service request."""
    assert "丢了" in analyse("我的钱包在公交站丢了，谁捡到了").service
    assert "丢了" not in analyse("人行道上的井盖丢了半个月，晚上很危险").service


def test_among_equally_good_none_thresholds_the_highest_is_taken() -> None:
    """A violation handled as a service request goes unhandled; a service request dispatched as a
    matter comes back. Where F1 cannot tell thresholds apart, the detector says NONE less often."""
    from xiezhi.rulebook.dispatch.training import _fit_none_detector

    rng = np.random.default_rng(0)
    # Well separated: every threshold between the classes' probabilities has F1 1.
    matter_rows = rng.normal(-3.0, 0.2, size=(40, 7))
    none_rows = rng.normal(3.0, 0.2, size=(10, 7))
    detector = _fit_none_detector(
        np.vstack([matter_rows, none_rows]), np.array([False] * 40 + [True] * 10), seed=0
    )
    assert detector.threshold == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("generic", "specific", "term"),
    [
        ("连续几个晚上有车来倒东西", "工地昼夜施工也不贴公告", "连续施工作业"),
        ("我住在居民楼三楼", "居民楼楼下新开了一家饭店", "餐饮服务项目"),
        ("在镇上菜市场买的肉", "村里有人没批就盖房", "乡村建设规划许可证"),
        ("临时有事没去成", "路边搭了一排活动板房", "临时建设"),
        ("浇了混凝土的地坪", "半夜还在打桩", "建筑施工噪声"),
    ],
)
def test_a_generic_word_does_not_bring_the_statute_terms_of_a_violation(
    generic: str, specific: str, term: str
) -> None:
    """Where a complaint happens (居民楼, 镇上) or when (连续几个晚上) is not what it is about: a
    synonym rule's colloquial side names the act, so a time or place word alone adds nothing."""

    def terms(text: str) -> set[str]:
        return {t for hit in analyse(text).hits for t in hit.terms}

    assert term not in terms(generic)
    assert term in terms(specific)


@pytest.mark.parametrize("path", [BUNDLED_STYLE_SET, *BUNDLED_HELDOUT_SETS])
def test_the_check_sets_are_labelled_with_catalogue_matters_and_fields(
    matters: list[Matter], path: Path
) -> None:
    fields = {m.code: m.field for m in matters}
    rows = load_rows(path)
    assert len(rows) >= 20 and any(r.is_none for r in rows)
    assert len({r.id for r in rows}) == len(rows)
    for row in rows:
        assert row.text.strip()
        if row.is_none:
            continue
        assert row.matter_code in fields, row.id
        assert not row.field or row.field == fields[row.matter_code], row.id
