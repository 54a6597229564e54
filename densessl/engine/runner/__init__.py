from .loops import TeacherStudentValLoop

__all__ = ['TeacherStudentValLoop']
