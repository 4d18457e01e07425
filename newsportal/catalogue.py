"""Strings our catalogues translate for Django, django-axes and the admin's history.

Our LOCALE_PATHS come before the apps' catalogues, so a msgid translated in ours wins. But
makemessages keeps only msgids it finds in our code: each string below is marked here so that
it stays. Nothing imports this module; it is read by makemessages only.
"""

from django.utils.translation import gettext_noop

# Django's Azerbaijani and Russian admin put a model's verbose_name into sentences whose grammar
# it cannot fit ("Выберите статья для изменения", 'Seçilmiş "məqalələr"ləri/ları sil'): our
# wording keeps the name out of the sentence's grammar. Azerbaijani titles also started with a
# lower-case name ("məqalə əlavə et").
ADMIN_SENTENCES = (
    gettext_noop("Add %s"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("Select %s"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Select all %(total_count)s %(module_name)s"),
    gettext_noop("Cannot delete %(name)s"),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Deleted {name} “{object}”."),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? '
        "All of the following related items will be deleted:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the "
        "following objects and their related items will be deleted:"
    ),
    gettext_noop("%(app)s administration"),
    gettext_noop("Models in the %(name)s application"),
)

# Django's own Azerbaijani that reads wrong: capfirst("istifadəçilər") is "Istifadəçilər"; the
# password help says the password *is* similar; "Django administrasiya" and the like.
DJANGO_AZERBAIJANI = (
    gettext_noop("users"),
    gettext_noop("user"),
    gettext_noop("username"),
    gettext_noop("permissions"),
    gettext_noop("user permissions"),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("staff status"),
    gettext_noop("superuser status"),
    gettext_noop("date joined"),
    gettext_noop("Change"),
    gettext_noop("History"),
    gettext_noop("Welcome,"),
    gettext_noop("Authentication and Authorization"),
    gettext_noop("Content Types"),
    # "Ən az 150 simvol" says "at least 150".
    gettext_noop("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
    # Russian: "аутентифироваться", "Single Sing-On".
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If "
        "disabled, they may still be able to authenticate using other backends, such "
        "as Single Sign-On or LDAP."
    ),
    gettext_noop("Change history: %s"),
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Toggle theme (current theme: light)"),
)

# django-axes has no Azerbaijani catalogue: its model and field names, and its admin's words.
AXES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Axes"),
)

# The admin's history stores the changed fields' labels in English (capfirst of verbose_name)
# and translates them when shown: "Body changed" reads "Mətn dəyişdirildi" only if "Body" is a
# msgid. newsportal/tests/test_interface_language.py checks that every admin form's label is.
FORM_LABELS = (
    gettext_noop("Active"),
    gettext_noop("Archived at"),
    gettext_noop("Article"),
    gettext_noop("Attribution phrasing"),
    gettext_noop("Author's position"),
    gettext_noop("Body"),
    gettext_noop("Category mapping"),
    gettext_noop("Comments closed"),
    gettext_noop("Feed URL"),
    gettext_noop("Homepage"),
    gettext_noop("Image caption"),
    gettext_noop("Kind"),
    gettext_noop("Language"),
    gettext_noop("Lead"),
    gettext_noop("Name"),
    gettext_noop("Name (Azerbaijani)"),
    gettext_noop("Name (Russian)"),
    gettext_noop("Position in the menu"),
    gettext_noop("Publish imported articles"),
    gettext_noop("Published at"),
    gettext_noop("Slug"),
    gettext_noop("Source URL"),
    gettext_noop("Status"),
    gettext_noop("Title"),
    gettext_noop("Views"),
    gettext_noop("Translation"),
    gettext_noop("Reason"),
    gettext_noop("Text"),
    gettext_noop("Live coverage"),
    gettext_noop("Main headline"),
    gettext_noop("Picture"),
    gettext_noop("Picture's alternative text"),
    gettext_noop("Shown from"),
    gettext_noop("Shown until"),
    gettext_noop("Full text"),
    gettext_noop("Republishing allowed"),
    gettext_noop("Until"),
    gettext_noop("Reply to"),
    gettext_noop("Created at"),
    gettext_noop("Password"),
    gettext_noop("Permissions"),
    gettext_noop("First name"),
    gettext_noop("Last name"),
    gettext_noop("Email address"),
    gettext_noop("Staff status"),
    gettext_noop("Superuser status"),
    gettext_noop("Groups"),
    gettext_noop("User permissions"),
    gettext_noop("Last login"),
    gettext_noop("Date joined"),
    gettext_noop("Post to Telegram"),
)
