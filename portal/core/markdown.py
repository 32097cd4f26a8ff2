"""Markdown written in the portal, rendered to HTML that is safe to show anyone."""
import markdown
import nh3

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3",
                "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong",
                "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt", "title"},
                      "ol": {"start"}, "td": {"align"}, "th": {"align"}}


def render_markdown(text: str) -> str:
    """Markdown to HTML, then cleaned by an allow-list: no scripts, styles, frames, event
    handlers or javascript: links ever reach a reader's page."""
    html = markdown.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists",
                                                     "nl2br"])
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
                     strip_comments=True)
