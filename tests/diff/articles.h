/* Building blocks of the constructed articles the diff suites compare. */
#ifndef DL_DIFF_ARTICLES_H
#define DL_DIFF_ARTICLES_H

#define HEADLINE "Council approves budget after long debate\n\n"
#define LEAD "OLYMPIA, WA – The city council approved the budget on Tuesday after a debate that ran past midnight.\n\n"
#define P_TAXES "Property taxes will stay flat for a third year, according to the finance office, which presented the numbers.\n\n"
#define P_PARKS "The parks department gets two new crews for the summer season and a bigger maintenance budget for trails.\n\n"
#define P_QUOTE "“We will review spending every quarter,” the mayor said after the vote.\n\n"
#define P_LIBRARY "Library hours return to seven days a week, reversing cuts made during the pandemic years downtown.\n\n"
#define P_END "The budget takes effect on July 1 and runs through the end of next June."

#define BASE HEADLINE LEAD P_TAXES P_PARKS P_QUOTE P_LIBRARY P_END

#endif
