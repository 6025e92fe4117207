"""The words the pages' scripts show (static/*.js), for templates/base.html to hand them over in
the page's language as a JSON block (static/text.js reads it into window.hindsightText).

A script asks with the English words, which are the keys here and what it shows when there is
no translation; ``{name}`` is a value the script fills in. A script's new words go here too, or
they stay English on a French page.
"""

from __future__ import annotations

from flask_babel import gettext

from reports.language import DEFAULT_LANGUAGE, N_

WORDS = (
    # static/editor.js: saving, the merge panel, the live note
    N_("Untitled report"), N_("Error: "), N_("Check: "), N_("Factor {number}"),
    N_("Someone else"), N_("{who} {what} at {time}."), N_("changed this report"),
    N_("{first} and {last}"),
    N_("Your version"), N_("Their saved version"), N_("(empty)"), N_("Keep mine"),
    N_("Use theirs"), N_(" for {part}"),
    N_("Saving…"), N_("Saved at {time}"), N_("Unsaved changes"),
    N_("Last saved {when}"), N_("Last saved today at {time}"), N_("Last saved {day} at {time}"),
    N_("Restored changes kept in this browser — saving…"),
    N_("{reason} Trying again in {seconds} s; your changes are kept in this browser."),
    N_("Not saved — you and someone else changed the same words. Choose what to keep above."),
    N_("Not saved — someone else changed this report. Reload the page to see their version; "
       "your text is kept in this browser."),
    N_("Not saved — check the highlighted fields. Your text is kept in this browser."),
    N_("Not saved — you are signed out or may not change this report. Your text is kept in "
       "this browser; sign in again and reload the page."),
    N_("Not saved — {problem}. Your text is kept in this browser."),
    N_("the server refused the change"),
    N_("Not saved — the server had a problem (error {status})."),
    N_("Not saved yet — the server is very busy."),
    N_("Offline: the server cannot be reached."),
    # static/attachments.js
    N_("Figure inserted in {place}."), N_("Figure inserted in the text."),
    N_("The file could not be added. Try again."), N_("Adding {name}…"),
    N_("“{name}” is added to the report."), N_("“{name}” is removed from the report."),
    # static/exports.js
    N_("Asking for the export…"),
    # static/guidance.js
    N_("Wording to reconsider"), N_("Apology coach"),
    N_("A real apology says that we are sorry, what happened to whom and for how long, with no "
       "conditions."),
    N_("Words a client may not know"),
    N_("Clients read this part: explain these words, or say them plainly."),
    N_("{count} suggestion for {name}"), N_("{count} suggestions for {name}"),
    N_("Try:"), N_("Set this hint aside"), N_("Why it does not apply here (for the reviewer)"),
    N_("Set aside"), N_("Done:"), N_("To do:"),
    N_("All {count} done: the report is ready for review."),
    N_("{done} of {count} done, {missing} still to do."), N_("Not known yet"),
    N_("Factor {number}: {text}"), N_("Factor {number} (root cause): {text}"),
    N_("not described yet"),
)


def js_words(language: str) -> dict[str, str]:
    """The scripts' words in the page's language (the request's: ``gettext`` says them in it);
    nothing for English, the scripts' own."""
    if language == DEFAULT_LANGUAGE:
        return {}
    return {english: gettext(english) for english in WORDS}
