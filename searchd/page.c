/* Embeds searchd/page.html (see page.h). */
#include "page.h"
#include "core/embed.h"

CS_EMBED(cs_page_html, "searchd/page.html");
