/*
 * dateline — the page's assets (the files of plugin/web/) as the binary holds them.
 * build/generated/web_assets.c is written by tools/embed.c from those
 * files at build time (see the Makefile): each file becomes a
 * NUL-terminated array named after it ("report.css" ->
 * dl_web_asset_report_css) and its size without the NUL.
 */
#ifndef DATELINE_WEB_ASSETS_H
#define DATELINE_WEB_ASSETS_H

#include <stddef.h>

extern const unsigned char dl_web_asset_report_html[];
extern const size_t dl_web_asset_report_html_size;
extern const unsigned char dl_web_asset_report_css[];
extern const size_t dl_web_asset_report_css_size;
extern const unsigned char dl_web_asset_report_js[];
extern const size_t dl_web_asset_report_js_size;

#endif
