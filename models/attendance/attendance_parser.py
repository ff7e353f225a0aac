"""Reading attendance the way a case worker writes it on paper, in Korean free text.

``희망키우기 출석 김영희 이철수 박민수, 결석 최수진, 지각 정미경`` or ``오늘 건강댄스 다 왔어요 빼고 김영희``:
the program, the day, "everyone", the exceptions and each name with its status. Names are matched against
one session's roster only: full names, given names (``영희``), a one-syllable typo (``김영히``), with Korean
particles and honorifics stripped (``김영희는``, ``김영희님``). Minutes go with 지각 and 조퇴 (``김영희 지각 10분``,
``장옥자 조퇴 30분``). Two people who fit one written name are returned as ambiguous so the person asks; a
one-syllable typo is only ever a guess (the person confirms it); names that fit nobody are returned as unknown,
with the closest names on the roster to offer.

Pure functions, no database: the attendance service gives the roster and the program names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from models.tables.enums import AttendanceStatus

PRESENT, LATE, ABSENT, EXCUSED = (AttendanceStatus.present, AttendanceStatus.late, AttendanceStatus.absent,
                                  AttendanceStatus.excused)
LEFT_EARLY = AttendanceStatus.left_early

# Status stems, longest first; a word is a status when it is a stem followed only by verb endings.
_STEMS: list[tuple[str, AttendanceStatus]] = [
    ("사유결석", EXCUSED), ("병결", EXCUSED), ("공결", EXCUSED), ("사유", EXCUSED), ("병가", EXCUSED),
    ("안나왔", ABSENT), ("못나왔", ABSENT), ("안나오", ABSENT), ("못나오", ABSENT), ("안왔", ABSENT),
    ("못왔", ABSENT), ("안옴", ABSENT), ("안오", ABSENT), ("못오", ABSENT), ("결석", ABSENT), ("불참", ABSENT),
    ("빠짐", ABSENT), ("빠졌", ABSENT),
    ("늦게왔", LATE), ("늦게오", LATE), ("늦게옴", LATE), ("지각", LATE), ("늦", LATE),
    ("조퇴", LEFT_EARLY), ("일찍갔", LEFT_EARLY), ("먼저갔", LEFT_EARLY),
    ("출석", PRESENT), ("참석", PRESENT), ("나왔", PRESENT), ("오셨", PRESENT), ("오심", PRESENT), ("왔", PRESENT),
]
_EXACT_STATUS = {"옴": PRESENT, "늦음": LATE}
_ENDINGS = set("요이에입니다함했어음임고는데습자하셨었네서구게지예였아도까됨됐로")
# Words that say "on paper" what happened, strong enough on their own to mean attendance.
STRONG_STATUS_STEMS = ("출석", "결석", "지각", "조퇴", "공결", "병결", "불참", "사유결석")
_MINUTES = re.compile(r"^(\d{1,3})분(.*)$")
_MINUTE_TAILS = {"", "정도", "쯤", "가량", "씩"}
CLOSEST_MAX = 3  # names offered for a name that is not on the list

_ALL_WORDS = {"다", "모두", "전원", "전부", "다들", "모두들", "나머지", "나머지분들", "모두다", "전부다", "다같이", "전원다"}
_EXCEPT_WORDS = {"빼고", "제외", "제외하고", "말고", "빼면", "외", "외에", "외에는", "빼고는", "제외하면", "빼구"}
_DAY_WORDS = {"오늘": 0, "금일": 0, "어제": -1, "그제": -2, "그저께": -2}
_FILLERS = {
    "회기", "수업", "교육", "강좌", "시간", "명", "그리고", "및", "오전", "오후", "입니다", "이에요", "예요", "있어요",
    "했어요", "했습니다", "했음", "함", "처리", "처리해", "처리해주세요", "부탁", "부탁해요", "부탁드려요",
    "부탁드립니다", "해주세요", "기록", "기록해", "기록해주세요", "저장", "저장해주세요", "확인", "인원", "참여자",
    "참여주민", "주민", "분", "분들", "사람", "어르신", "어르신들", "이번", "같이", "총", "전체", "이요", "체크",
    "출석부", "명단", "현황", "입력", "해요", "했고", "했는데", "이고", "그래서", "근데", "그런데", "반", "일",
    "주", "만", "님", "씨", "오늘은", "어제는", "좀", "한", "두", "세", "네", "그리고요", "합니다", "하고", "이랑",
    "랑", "는", "은", "도", "나", "요", "입력해주세요", "남겨주세요", "선생님", "선생님들", "했구요", "했어",
}
# Particles and honorifics after a name, longest first. Stripped one at a time, up to three.
_PARTICLES = [
    "선생님께서", "선생님은", "선생님도", "선생님", "어르신은", "어르신도", "어르신", "님께서는", "님께서", "님은",
    "님는", "님이", "님도", "님만", "님과", "님하고", "님이랑", "님", "씨는", "씨도", "씨가", "씨만", "씨",
    "께서는", "께서", "이랑", "하고", "이는", "이도", "이만", "이가", "은요", "는요", "까지", "부터", "한테",
    "에게", "에서", "으로", "요", "에", "은", "는", "이", "가", "도", "만", "랑", "와", "과", "의",
]
_DISPLAY_PARTICLES = ("님께서", "님은", "님도", "님만", "님", "씨는", "씨", "께서", "이랑", "하고", "은요", "는요",
                      "요", "은", "는", "도", "만", "랑")
_VERBISH_ENDINGS = ("요", "다", "니다", "고", "서", "면", "데", "음", "함", "어", "게", "죠", "네")
_SEPARATORS = re.compile(r"[,\n;/·、，]|\.(?!\d)|\b그리고\b")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*월\s*(\d{1,2})\s*일|(?<!\d)(\d{1,2})/(\d{1,2})(?!\d)")
_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?<![\uac00-\ud7a3])(안|못)\s+(나\s*)?(왔|오|옴)"), r"\1나\3"),  # 안 왔어요 → 안나왔어요
    (re.compile(r"(?<![\uac00-\ud7a3])늦게\s+(왔|오|옴)"), r"늦게\1"),
    (re.compile(r"(?<![\uac00-\ud7a3])사유\s+결석"), "사유결석"),
    (re.compile(r"(?<![\uac00-\ud7a3])(일찍|먼저)\s+(갔|가)"), r"\1\2"),
    (re.compile(r"(?<=[\uac00-\ud7a3])(?=\d{1,3}\s*분)"), " "),  # 지각10분 → 지각 10분
]
HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")


@dataclass(frozen=True)
class RosterName:
    """Someone on the session's list: their id and name as the center wrote it."""

    participant_id: int
    name: str


Match = Literal["exact", "given", "typo", "unknown"]


@dataclass(frozen=True)
class TypedName:
    """One name as written, what it said about them, and who it may be."""

    typed: str  # as written, particles stripped
    status: AttendanceStatus | None  # None: the message gave no status for this name
    candidates: tuple[int, ...]  # one: found; several: ask; none: unknown
    match: Match
    minutes: int | None = None  # 지각 10분, 조퇴 30분
    closest: tuple[int, ...] = ()  # for an unknown name: the roster's nearest names, to offer

    @property
    def is_ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def is_unknown(self) -> bool:
        return not self.candidates


@dataclass(frozen=True)
class ParsedMessage:
    """Everything a message said about attendance."""

    program: str | None  # the program short name mentioned (as registered), if any
    day_offset: int | None  # 오늘 0, 어제 -1 …
    month_day: tuple[int, int] | None  # 3월 4일 → (3, 4)
    everyone: AttendanceStatus | None  # 다 왔어요 → present (for everyone not named otherwise)
    names: tuple[TypedName, ...]
    has_status: bool  # any status word at all


@dataclass
class Resolution:
    """A parsed message applied to a roster: who gets which status, and what still needs the person.

    ``guesses`` are one-syllable typos that fit one person: never marks, the person confirms them.
    ``unknown`` names fit nobody exactly; their ``candidates`` are the closest names (possibly none).
    """

    marks: dict[int, AttendanceStatus] = field(default_factory=dict)
    minutes: dict[int, int] = field(default_factory=dict)
    ambiguous: list[TypedName] = field(default_factory=list)
    guesses: list[TypedName] = field(default_factory=list)
    unknown: list[TypedName] = field(default_factory=list)


def _compact(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def status_of(word: str) -> AttendanceStatus | None:
    """The status a single word states (``결석이에요`` → absent), or None."""
    if word in _EXACT_STATUS:
        return _EXACT_STATUS[word]
    for stem, status in _STEMS:
        if word.startswith(stem):
            rest = word[len(stem):].removeprefix("처리").removeprefix("체크")  # 결석처리, 출석체크
            if all(ch in _ENDINGS for ch in rest):
                return status
    return None


def _strip_chain(word: str, depth: int = 3) -> list[str]:
    """``word`` and the words left after stripping one, two or three particles (longest first)."""
    found = [word]
    frontier = [word]
    for _ in range(depth):
        following = []
        for item in frontier:
            for particle in _PARTICLES:
                if item.endswith(particle) and len(item) - len(particle) >= 1:
                    shorter = item[: -len(particle)]
                    if shorter not in found:
                        found.append(shorter)
                        following.append(shorter)
        frontier = following
    return found


def _display(word: str) -> str:
    for particle in _DISPLAY_PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


class _Roster:
    """Name lookups over one roster: full names, given names and one-syllable typos."""

    def __init__(self, roster: Iterable[RosterName]) -> None:
        self.full: dict[str, list[int]] = {}
        self.given: dict[str, list[int]] = {}
        self.names: list[tuple[str, int]] = []
        for entry in roster:
            name = _compact(entry.name)
            self.full.setdefault(name, []).append(entry.participant_id)
            self.names.append((name, entry.participant_id))
            if len(name) >= 3:
                self.given.setdefault(name[1:], []).append(entry.participant_id)
            if len(name) >= 4:
                self.given.setdefault(name[2:], []).append(entry.participant_id)

    def exact(self, word: str) -> tuple[int, ...]:
        for candidate in _strip_chain(word):
            if candidate in self.full:
                return tuple(self.full[candidate])
        return ()

    def lookup(self, word: str) -> tuple[tuple[int, ...], Match]:
        chain = _strip_chain(word)
        for candidate in chain:
            if candidate in self.full:
                return tuple(self.full[candidate]), "exact"
        for candidate in chain:
            if len(candidate) >= 2 and candidate in self.given:
                return tuple(dict.fromkeys(self.given[candidate])), "given"
        for candidate in chain:
            if len(candidate) < 3:
                continue
            near = [pid for name, pid in self.names if len(name) == len(candidate)
                    and sum(a != b for a, b in zip(name, candidate, strict=True)) == 1]
            if near:
                return tuple(dict.fromkeys(near)), "typo"
        return (), "unknown"

    def closest(self, word: str) -> tuple[int, ...]:
        """The roster's names nearest to ``word`` (at most two syllables apart, one for short names)."""
        word = _compact(word)
        scored = []
        for name, pid in self.names:
            distance = _distance(word, name)
            if distance <= (2 if len(word) >= 3 else 1) and distance < max(len(word), len(name)):
                scored.append((distance, name, pid))
        return tuple(dict.fromkeys(pid for _d, _n, pid in sorted(scored)))[:CLOSEST_MAX]


def _distance(a: str, b: str) -> int:
    """Syllables to change, add or drop to turn ``a`` into ``b`` (Levenshtein)."""
    previous = list(range(len(b) + 1))
    for i, left in enumerate(a, 1):
        current = [i]
        for j, right in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (left != right)))
        previous = current
    return previous[-1]


@dataclass
class _Item:
    kind: str  # name / status / except / all / sep / minutes
    status: AttendanceStatus | None = None
    typed: str = ""
    candidates: tuple[int, ...] = ()
    match: Match = "unknown"
    assigned: AttendanceStatus | None = None
    excepted: bool = False
    minutes: int | None = None  # a name's or a status word's minutes (지각 10분)
    assigned_minutes: int | None = None


def _plausible_name(word: str) -> bool:
    return (HANGUL.match(word) is not None and 2 <= len(word) <= 4 and word not in _FILLERS
            and not word.endswith(_VERBISH_ENDINGS))


def _program_in(word: str, programs: Sequence[str]) -> str | None:
    for program in sorted(programs, key=len, reverse=True):
        short = _compact(program)
        if short and word.startswith(short):
            return program
    return None


def _words(text: str) -> list[str]:
    """The message as words, with separators kept as ``,``."""
    text = unicodedata.normalize("NFC", text)
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    text = _SEPARATORS.sub(" , ", text)
    text = "".join(ch if (ch.isalnum() or ch.isspace() or ch == ",") else " " for ch in text)
    return text.split()


def _minutes_of(word: str) -> int | None:
    found = _MINUTES.match(word)
    if found is None:
        return None
    tail = found.group(2)
    if tail in _MINUTE_TAILS or all(ch in _ENDINGS for ch in tail):
        return int(found.group(1))
    return None


def _attach_minutes(items: list[_Item]) -> list[_Item]:
    """Gives each ``10분`` to the name or the status word next to it, and takes it out of the items."""
    kept: list[_Item] = []
    for index, item in enumerate(items):
        if item.kind != "minutes":
            kept.append(item)
            continue
        before = kept[-1] if kept else None
        after = items[index + 1] if index + 1 < len(items) else None
        if before is not None and before.kind in ("name", "status"):
            before.minutes = item.minutes
        elif after is not None and after.kind == "status":
            after.minutes = item.minutes
    return kept


def _classify(word: str, roster: _Roster, programs: Sequence[str], out: dict[str, object]) -> list[_Item]:
    if word == ",":
        return [_Item("sep")]
    minutes = _minutes_of(word)
    if minutes is not None:
        return [_Item("minutes", minutes=minutes)]
    program = _program_in(word, programs)
    if program is not None:
        out.setdefault("program", program)
        rest = word[len(_compact(program)):]
        status = status_of(rest) if rest else None
        return [_Item("status", status)] if status else []
    bare = _strip_chain(word)
    for candidate in bare:
        if candidate in _DAY_WORDS:
            out.setdefault("day", _DAY_WORDS[candidate])
            return []
    found = roster.exact(word)
    if found:
        return [_Item("name", typed=_display(word), candidates=found, match="exact")]
    status = status_of(word)
    if status is not None:
        return [_Item("status", status)]
    if any(candidate in _ALL_WORDS for candidate in bare):
        return [_Item("all")]
    for all_word in sorted(_ALL_WORDS, key=len, reverse=True):  # 다왔어요, 모두출석
        if word.startswith(all_word) and status_of(word[len(all_word):]):
            return [_Item("all"), _Item("status", status_of(word[len(all_word):]))]
    if any(candidate in _EXCEPT_WORDS for candidate in bare):
        return [_Item("except")]
    for cut in range(2, len(word) - 1):  # 김영희결석, 김영희빼고
        head, tail = word[:cut], word[cut:]
        tail_status = status_of(tail)
        if (tail_status or tail in _EXCEPT_WORDS) and roster.exact(head):
            name = _Item("name", typed=_display(head), candidates=roster.exact(head), match="exact")
            return [name, _Item("status", tail_status) if tail_status else _Item("except")]
    if any(candidate in _FILLERS for candidate in bare if candidate == word or len(candidate) >= 2):
        return []
    candidates, match = roster.lookup(word)
    if candidates:
        return [_Item("name", typed=_display(word), candidates=candidates, match=match)]
    display = _display(word)
    if _plausible_name(display):
        return [_Item("name", typed=display, match="unknown")]
    return []


def _join_split_names(words: list[str], roster: _Roster) -> list[str]:
    """``김 영희`` written with a space becomes ``김영희`` when that is someone on the list."""
    joined: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if (len(word) == 1 and HANGUL.match(word) and index + 1 < len(words)
                and roster.exact(word + words[index + 1])):
            joined.append(word + words[index + 1])
            index += 2
            continue
        joined.append(word)
        index += 1
    return joined


def _opposite(status: AttendanceStatus) -> AttendanceStatus:
    return ABSENT if status in (PRESENT, LATE) else PRESENT


def _find_everyone(items: list[_Item]) -> tuple[list[_Item], AttendanceStatus | None]:
    """Takes ``다 왔어요`` / ``전원 출석`` / ``출석 전원`` out of the items; returns what everyone got."""
    everyone: AttendanceStatus | None = None
    kept: list[_Item] = []
    index = 0
    while index < len(items):
        item = items[index]
        if item.kind != "all":
            kept.append(item)
            index += 1
            continue
        end = index
        while end + 1 < len(items) and items[end + 1].kind == "all":
            end += 1
        following = items[end + 1] if end + 1 < len(items) else None
        if following is not None and following.kind == "status" and following.status is not None:
            everyone = everyone or following.status
            index = end + 2
            continue
        if kept and kept[-1].kind == "status" and kept[-1].status is not None:
            everyone = everyone or kept.pop().status
        index = end + 1
    return kept, everyone


def _segments(items: list[_Item]) -> list[list[_Item]]:
    segments: list[list[_Item]] = [[]]
    for item in items:
        if item.kind == "sep":
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append(item)
    return [segment for segment in segments if segment]


def _is_marker(item: _Item) -> bool:
    return item.kind in ("status", "except")


def _assign(segments: list[list[_Item]]) -> dict[int, list[_Item]]:
    """Gives each name the status (or the exception) it belongs to; returns each marker's names by id()."""
    groups: dict[int, list[_Item]] = {}
    modes: list[str | None] = []  # per segment: forward / backward / None (no marker)
    for segment in segments:
        markers = [item for item in segment if _is_marker(item)]
        for marker in markers:
            groups[id(marker)] = []
        if not markers:
            modes.append(None)
            continue
        # 출석 김영희 이철수 → forward; 김영희 출석 이철수 결석 → backward. A line that ends with a status word
        # is backward even when it starts with one (10명 출석 최수진 결석).
        if _is_marker(segment[0]) and (len(markers) == 1 or not _is_marker(segment[-1])):
            modes.append("forward")
            current = segment[0]
            for item in segment:
                if _is_marker(item):
                    current = item
                elif item.kind == "name":
                    groups[id(current)].append(item)
        else:
            modes.append("backward")
            pending: list[_Item] = []
            for item in segment:
                if _is_marker(item):
                    groups[id(item)].extend(pending)
                    pending = []
                elif item.kind == "name":
                    pending.append(item)
            groups[id(markers[-1])].extend(pending)
    # Segments without a status word take one from their neighbours.
    for index, segment in enumerate(segments):
        if modes[index] is not None:
            continue
        names = [item for item in segment if item.kind == "name"]
        neighbour = _neighbour_marker(segments, modes, index)
        if neighbour is not None:
            groups[id(neighbour)].extend(names)
    return groups


def _neighbour_marker(segments: list[list[_Item]], modes: list[str | None], index: int) -> _Item | None:
    previous = next((i for i in range(index - 1, -1, -1) if modes[i] is not None), None)
    following = next((i for i in range(index + 1, len(segments)) if modes[i] is not None), None)

    def last_marker(i: int) -> _Item:
        return [item for item in segments[i] if _is_marker(item)][-1]

    def first_marker(i: int) -> _Item:
        return next(item for item in segments[i] if _is_marker(item))

    if previous is not None and modes[previous] == "forward":
        return last_marker(previous)
    if following is not None and modes[following] == "backward":
        return first_marker(following)
    if previous is not None:
        return last_marker(previous)
    if following is not None:
        return first_marker(following)
    return None


def parse_attendance(text: str, *, roster: Iterable[RosterName], programs: Sequence[str] = ()) -> ParsedMessage:
    """What ``text`` says about attendance, with names matched against ``roster`` (one session's list)."""
    lookup = _Roster(roster)
    out: dict[str, object] = {}
    month_day: tuple[int, int] | None = None
    date_match = _MONTH_DAY.search(text)
    if date_match:
        month, day = (date_match.group(1), date_match.group(2)) if date_match.group(1) else \
            (date_match.group(3), date_match.group(4))
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            month_day = (int(month), int(day))
        text = text[: date_match.start()] + " " + text[date_match.end():]
    items: list[_Item] = []
    for word in _join_split_names(_words(text), lookup):
        items.extend(_classify(word, lookup, programs, out))
    has_status = any(item.kind == "status" for item in items)
    items, everyone = _find_everyone(_attach_minutes(items))
    segments = _segments(items)
    groups = _assign(segments)
    markers = [item for segment in segments for item in segment if _is_marker(item)]
    has_exception = any(marker.kind == "except" and groups[id(marker)] for marker in markers)
    if everyone is None and has_exception:
        # 김영희 빼고 출석: a status with nobody of its own is for everyone else
        empty = next((m for m in markers if m.kind == "status" and not groups[id(m)]), None)
        if empty is not None:
            everyone = empty.status
    exception_status = _opposite(everyone) if everyone else ABSENT
    for marker in markers:
        for name in groups[id(marker)]:
            name.assigned = marker.status if marker.kind == "status" else exception_status
            if name.assigned is not None and name.assigned.has_minutes:
                name.assigned_minutes = name.minutes if name.minutes is not None else marker.minutes
    names = tuple(
        TypedName(item.typed, item.assigned, item.candidates, item.match, item.assigned_minutes,
                  lookup.closest(item.typed) if not item.candidates else ())
        for segment in segments for item in segment if item.kind == "name"
    )
    program = out.get("program")
    day = out.get("day")
    return ParsedMessage(
        program=program if isinstance(program, str) else None,
        day_offset=day if isinstance(day, int) else None,
        month_day=month_day,
        everyone=everyone,
        names=names,
        has_status=has_status or everyone is not None,
    )


def resolve(parsed: ParsedMessage, roster_ids: Iterable[int], *,
            default: AttendanceStatus | None = PRESENT) -> Resolution:
    """The marks a message makes on a roster: everyone first, then each name (the later name wins)."""
    ids = list(roster_ids)
    result = Resolution()
    if parsed.everyone is not None:
        result.marks = dict.fromkeys(ids, parsed.everyone)
    for name in parsed.names:
        status = name.status or default
        if name.is_unknown:
            result.unknown.append(TypedName(name.typed, status, name.closest, "unknown", name.minutes))
        elif name.match == "typo":  # a guess: one person to confirm, or several to choose from
            target = result.guesses if len(name.candidates) == 1 else result.unknown
            target.append(TypedName(name.typed, status, name.candidates, "typo", name.minutes))
        elif name.is_ambiguous:
            result.ambiguous.append(TypedName(name.typed, status, name.candidates, name.match, name.minutes))
        elif status is not None:
            pid = name.candidates[0]
            result.marks[pid] = status
            result.minutes.pop(pid, None)  # the later word wins, minutes included
            if name.minutes is not None and status.has_minutes:
                result.minutes[pid] = name.minutes
    return result


def mentions(text: str, programs: Sequence[str]) -> tuple[str | None, bool, bool]:
    """A quick look: the program mentioned, whether a status word is there, and whether a strong one is."""
    program: str | None = None
    any_status = strong = False
    for word in _words(text):
        if word == ",":
            continue
        found = _program_in(word, programs)
        if found is not None:
            program = program or found
            word = word[len(_compact(found)):]
            if not word:
                continue
        for candidate in _strip_chain(word, depth=1):
            status = status_of(candidate)
            if status is not None:
                any_status = True
                strong = strong or candidate.startswith(STRONG_STATUS_STEMS)
        for all_word in _ALL_WORDS:
            if word.startswith(all_word) and status_of(word[len(all_word):]):
                any_status = True
        if word in _EXCEPT_WORDS:
            any_status = True
        for cut in range(2, len(word) - 1):  # 김영희결석
            if word[cut:].startswith(STRONG_STATUS_STEMS) and status_of(word[cut:]):
                any_status = strong = True
    return program, any_status, strong
