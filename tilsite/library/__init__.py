"""What the pages quote from the package: import, directives, figures, values, dependencies, includes, code blocks, the wheel."""
