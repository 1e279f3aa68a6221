; Tags for code-navigation tools: subheads and speakers.
(section title: (subhead) @name) @definition.section
(attribution speaker: (speaker) @name) @reference.speaker
