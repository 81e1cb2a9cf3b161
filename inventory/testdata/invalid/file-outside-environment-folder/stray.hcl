# An inventory file must live in an environment folder.
