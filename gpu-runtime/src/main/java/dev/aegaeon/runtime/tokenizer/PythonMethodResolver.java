package dev.aegaeon.runtime.tokenizer;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.Iterator;

/**
 * Resolves Python {@code str} method calls ({@code x.strip()}, {@code x.startswith(y)}) in
 * Jinjava expressions, ahead of Jinjava's own resolver, which only knows Java methods. Resolves
 * nothing else, so every other lookup falls through unchanged.
 */
final class PythonMethodResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base instanceof String s && method instanceof String name && PythonStrings.supports(name)) {
            context.setPropertyResolved(true);
            return PythonStrings.invoke(s, name, params == null ? new Object[0] : params);
        }
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) { return null; }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) { return null; }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) { return null; }

    @Override
    public Object getValue(ELContext context, Object base, Object property) { return null; }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) { return true; }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}
}
