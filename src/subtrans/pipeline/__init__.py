"""The translation pipeline, one module per stage, in the order the text goes through them.

0. :mod:`.languages`: the job's languages (what the user asked for, what the
   model is asked for) and its profile;
1. :mod:`.sentences`: each cue's shape, and the sentence units that run over cues;
2. :mod:`.terms`: the glossary terms in each unit, the forms the decoder must use;
3. :mod:`.memory`: the translation memory, each distinct text looked up once;
4. :mod:`.engine`: the backend, loaded only for texts not in the memory;
5. :mod:`.spread`: each unit's translation split back over its cues;
6. :mod:`.render`: punctuation, the cue's shape and line breaks;
7. :mod:`.fitting`: alternatives for units over the profile's limits, retiming;
8. :mod:`.assembly`: the output track, its report and signature.

:class:`.translator.Translator` runs them over one track; :mod:`.files` is
the file-level job (planning outputs, writing, checking) that the CLI and the
catalogue runs share. ``subtrans.translating`` keeps the public names where
they always were. ``subtrans check`` never imports this package.
"""
