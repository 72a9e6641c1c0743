"""The council's own audit forms, as data (framework sections 5, 9.3 and 23): definitions in a folder
the deployment names (QA_FORMS_DIR), checked against schema.json and qa/forms.py's rules."""
