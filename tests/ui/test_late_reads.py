"""A panel reading the library again (another window changed it) while the user's own change is
saved: an answer whose copy was taken before that save never puts the older state back on screen.

Each test holds one real read on its worker after it has taken its copy, lets the user's change
reach the library, and only then lets the read answer: the order is the test's, not the machine's.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from PySide6.QtCore import QThreadPool

from newsdesk.images.library_import import import_image
from newsdesk.library import Library
from newsdesk.ui.article_form import ArticleForm
from newsdesk.ui.browser import LibraryBrowser
from newsdesk.ui.codes import CodeExpander
from newsdesk.ui.images_panel import ImagesPanel
from newsdesk.ui.related_picker import RelatedPicker
from tests.ui.conftest import answered
from tests.ui.test_images_panel import retype
from tests.ui.test_related_picker import row_ids

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"


class HeldRead:
    """The next call of one library read, held on its worker once it has its answer.

    What a busy machine does to a worker thread now and then, made to happen on cue:
    the read is the library's own (same copy, same answer), it only answers late.
    """

    def __init__(self, library: Library, name: str) -> None:
        self.taken = threading.Event()
        self.release = threading.Event()
        real = getattr(library, name)

        def held(*args, **kwargs):
            answer = real(*args, **kwargs)
            if not self.taken.is_set():  # only the first read is held
                self.taken.set()
                self.release.wait(10)
            return answer

        setattr(library, name, held)  # this Library object only


@contextlib.contextmanager
def reads_side_by_side():
    """Two reads at once on the global pool, as on any machine with two cores or more.

    The pool has one thread per core the process may use: pinned to one core (a loaded test
    run), reads never overlap, an older one cannot answer last, and a held read would hold
    the newer one up behind it.
    """
    pool = QThreadPool.globalInstance()
    before = pool.maxThreadCount()
    pool.setMaxThreadCount(max(2, before))
    try:
        yield
    finally:
        pool.setMaxThreadCount(before)


def test_a_related_story_removed_while_the_list_is_read_again_stays_removed(qtbot, library):
    story = library.create_article(headline="Night ferry reaches Bari", body="212 passengers.")
    crossing = library.create_article(headline="Ferry crossings double", body="Twice a night.")
    timetable = library.create_article(headline="Winter timetable", body="One sailing a night.")
    library.set_related(story.id, [crossing.id])
    picker = RelatedPicker(library)
    qtbot.addWidget(picker)
    picker.show()
    with qtbot.waitSignal(picker.sig_suggestions_shown, timeout=10_000):
        picker.set_article(library.get_article(story.id))
    answered()
    assert row_ids(picker.picked) == [crossing.id]

    # Another window adds a related story: the picker reads the story again.
    with library.recording() as recorder:
        library.set_related(story.id, [crossing.id, timetable.id])
    read = HeldRead(library, "find_article")
    picker.library_changed(recorder.changes, None)
    assert read.taken.wait(10)
    # Meanwhile the user removes the crossing story, and the removal is saved.
    picker.remove_ids([crossing.id])
    qtbot.waitUntil(lambda: picker._pending_writes == 0, timeout=10_000)
    read.release.set()
    answered()

    in_library = [link.target_id for link in library.get_article(story.id).related]
    assert crossing.id not in in_library
    assert row_ids(picker.picked) == in_library, "the list shows what the library holds"


def test_a_caption_saved_while_the_picture_is_read_again_stays_on_screen(qtbot, library):
    image = import_image(library, FIXTURES / "pillow-iptc.jpg")
    panel = ImagesPanel(library)
    qtbot.addWidget(panel)
    panel.resize(360, 860)
    panel.show()
    qtbot.waitUntil(lambda: panel.library_model.row_of(image.id) >= 0, timeout=10_000)
    assert panel.select_image(image.id)
    answered()

    # Another program credits the picture: the panel reads it again.
    with library.recording() as recorder:
        library.update_image(image.id, credit="Port Authority")
    read = HeldRead(library, "images_by_ids")
    panel.library_changed(recorder.changes, None)
    assert read.taken.wait(10)
    # Meanwhile the user captions it, and the caption is saved.
    retype(panel.form.editors["caption"], "Ferries at dawn")
    panel.commit_edits()
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)
    read.release.set()
    answered()

    assert library.get_image(image.id).caption == "Ferries at dawn"
    assert panel.form.value("caption") == "Ferries at dawn"
    assert panel.form.value("credit") == "Port Authority", "the other program's change shows too"
    panel.flush()
    panel.loader.wait()


def test_a_code_changed_while_an_older_table_was_still_being_read_expands_to_its_new_words(
    qtbot, library
):
    library.set_code_replacements({"jd": "Jane Doe / Harbour Agency"})
    codes = CodeExpander()
    with reads_side_by_side():
        read = HeldRead(library, "code_replacements")
        codes.load(library)  # a read that takes its copy now and answers late
        assert read.taken.wait(10)
        library.set_code_replacements({"jd": "Jane Doe / Courier"})  # changed in the dialog
        codes.load(library)  # read again
        qtbot.waitUntil(lambda: codes.table == {"jd": "Jane Doe / Courier"})
        read.release.set()
        answered()

        assert codes.table == {"jd": "Jane Doe / Courier"}


def test_a_section_added_while_an_older_list_was_still_being_read_is_offered(qtbot, library):
    library.create_article(headline="Council votes", section="News")
    form = ArticleForm(library)
    qtbot.addWidget(form)
    with reads_side_by_side():
        read = HeldRead(library, "sections")
        form.refresh_choices()  # a read that takes its copy now and answers late
        assert read.taken.wait(10)
        library.create_article(headline="Derby settled", section="Sport")  # another window
        form.refresh_choices()  # read again

        def sections() -> list[str]:
            return [form.section.itemText(i) for i in range(form.section.count())]

        qtbot.waitUntil(lambda: "Sport" in sections())
        read.release.set()
        answered()

        assert "Sport" in sections()


def test_the_list_filters_offer_a_section_added_while_an_older_list_was_being_read(qtbot, library):
    library.create_article(headline="Council votes", section="News")
    browser = LibraryBrowser(library)
    qtbot.addWidget(browser)
    answered()
    with reads_side_by_side():
        read = HeldRead(library, "sections")
        browser.refresh_choices()  # a read that takes its copy now and answers late
        assert read.taken.wait(10)
        library.create_article(headline="Derby settled", section="Sport")  # another window
        browser.refresh_choices()  # read again
        qtbot.waitUntil(lambda: browser.section_filter.findData("Sport") >= 0)
        read.release.set()
        answered()

        assert browser.section_filter.findData("Sport") >= 0
